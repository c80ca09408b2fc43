package dev.webstack.security;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import dev.webstack.DatabasePair;
import dev.webstack.DatabasePairTests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;

/**
 * The sign-in throttle against the real database that every app server shares: per
 * client, for the login form and HTTP Basic under any spelling; per account, slowing that
 * never refuses a client in good standing. (HostileInputStackIntegrationTests sends the
 * same attacks through HAProxy.)
 */
class LoginThrottleIntegrationTests extends DatabasePairTests {

	/** Client addresses unique within a run, so that no two tests share a count. */
	private static final AtomicInteger addresses = new AtomicInteger(ThreadLocalRandom.current().nextInt(30_000));

	@Autowired
	private MockMvcTester mvc;

	@Autowired
	private JdbcTemplate jdbc;

	@Autowired
	private TransactionTemplate transactions;

	/** Each test starts with no failures against any account (other classes sign in too). */
	@BeforeEach
	@AfterEach
	void forgetTheAccountsFailures() {
		this.transactions.executeWithoutResult((status) -> this.jdbc.update("delete from sign_in_account"));
	}

	@Test
	void fiveAttemptsFromOneClientThenItWaitsEvenWithTheRightPassword() {
		RequestPostProcessor guesser = from(newAddress());
		for (int i = 0; i < LoginThrottle.CLIENT_LIMIT; i++) {
			assertThat(login(guesser, "admin", "guess-" + i)).hasStatus(HttpStatus.FOUND)
				.hasRedirectedUrl("/login?error");
		}
		MvcTestResult locked = login(guesser, "admin", password());
		assertThat(locked).hasStatus(HttpStatus.FOUND).hasRedirectedUrl("/login?locked");
		assertThat(locked.getResponse().getHeader("Retry-After")).matches("\\d+");
		assertThat(locked.getResponse().getCookie(SignedCookieSecurityContextRepository.COOKIE)).as("not signed in")
			.isNull();

		assertThat(login(from(newAddress()), "admin", password())).as("another client is not held back")
			.hasStatus(HttpStatus.FOUND)
			.hasRedirectedUrl("/admin");
	}

	@Test
	void everySpellingOfHttpBasicAndOfTheUserNameCountsAgainstTheSameClient() {
		RequestPostProcessor guesser = from(newAddress());
		List<String> spellings = List.of("Basic " + token("admin", "nope"), "Basic\t" + token("admin", "nope"),
				"basic " + token("admin", "nope"), "BASIC " + token(" admin ", "nope"), "Basic " + token("ADMIN", "nope"));
		assertThat(spellings).hasSize(LoginThrottle.CLIENT_LIMIT);
		for (String header : spellings) {
			assertThat(this.mvc.get().uri("/admin/api/status").with(guesser).header("Authorization", header))
				.as(header)
				.hasStatus(HttpStatus.UNAUTHORIZED);
		}
		MvcTestResult locked = this.mvc.get()
			.uri("/admin/api/status")
			.with(guesser)
			.header("Authorization", "Basic " + token("admin", password()))
			.exchange();
		assertThat(locked).hasStatus(HttpStatus.TOO_MANY_REQUESTS);
		assertThat(locked.getResponse().getHeader("Retry-After")).matches("\\d+");
		assertThat(login(guesser, " Admin ", password())).as("nor through the form under another spelling")
			.hasRedirectedUrl("/login?locked");
	}

	@Test
	void anAccountUnderAttackSlowsNewClientsButNeverOneInGoodStanding() {
		RequestPostProcessor admin = from(newAddress());
		assertThat(login(admin, "admin", password())).hasRedirectedUrl("/admin");
		// Many addresses, each within its own limit: twenty failures against the account.
		for (int client = 0; client < LoginThrottle.ACCOUNT_THRESHOLD / LoginThrottle.CLIENT_LIMIT; client++) {
			RequestPostProcessor guesser = from(newAddress());
			for (int i = 0; i < LoginThrottle.CLIENT_LIMIT; i++) {
				assertThat(login(guesser, "admin", "guess-" + i)).hasRedirectedUrl("/login?error");
			}
		}
		// New clients now share one attempt per interval: the first takes it, the next waits.
		assertThat(login(from(newAddress()), "admin", "one more guess")).hasRedirectedUrl("/login?error");
		MvcTestResult slowed = login(from(newAddress()), "admin", password());
		assertThat(slowed).hasRedirectedUrl("/login?locked");
		assertThat(Long.parseLong(slowed.getResponse().getHeader("Retry-After")))
			.isBetween(1L, (long) LoginThrottle.SLOWED_SECONDS + 1);

		assertThat(login(admin, "admin", password())).as("the admin's own browser is never refused")
			.hasRedirectedUrl("/admin");
		assertThat(this.mvc.get()
			.uri("/admin/api/status")
			.with(admin)
			.header("Authorization", "Basic " + token("admin", password()))).as("nor its scripts")
			.hasStatus(HttpStatus.OK);
	}

	@Test
	void userNamesAreFoldedAsSpringSecurityFoldsThemAndLoggedHarmlessly() {
		assertThat(LoginThrottle.account("  ADMIN\t")).isEqualTo("admin");
		assertThat(LoginThrottle.account("\uFF41\uFF44\uFF4D\uFF49\uFF4E")).as("full-width letters").isEqualTo("admin");
		assertThat(LoginThrottle.account("x".repeat(500))).hasSize(80);
		assertThat(LoginThrottle.forLog("admin\n2026-01-01 INFO forged line\u202e"))
			.isEqualTo("admin\\u000a2026-01-01 INFO forged line\\u202e");
	}

	private MvcTestResult login(RequestPostProcessor client, String username, String password) {
		return this.mvc.post()
			.uri("/login")
			.with(client)
			.with(csrf())
			.param("username", username)
			.param("password", password)
			.exchange();
	}

	private static RequestPostProcessor from(String address) {
		return (request) -> {
			request.setRemoteAddr(address);
			return request;
		};
	}

	private static String newAddress() {
		int n = addresses.getAndIncrement();
		return "10.99." + (n / 254) % 256 + "." + (n % 254 + 1);
	}

	private static String password() {
		return DatabasePair.secret("admin-password");
	}

	private static String token(String username, String password) {
		return Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

}
