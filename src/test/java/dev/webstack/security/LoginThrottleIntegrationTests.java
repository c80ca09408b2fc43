package dev.webstack.security;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

import dev.webstack.DatabasePair;
import dev.webstack.DatabasePairTests;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;

/**
 * Password guessing is throttled per client, for the login form and HTTP Basic alike,
 * with the count kept in the database that every app server shares.
 */
class LoginThrottleIntegrationTests extends DatabasePairTests {

	@Autowired
	private MockMvcTester mvc;

	@Test
	void fiveWrongPasswordsLockTheClientOutEvenWithTheRightOne() {
		RequestPostProcessor guesser = from(randomAddress());
		for (int i = 0; i < LoginThrottle.CLIENT_LIMIT; i++) {
			assertThat(login(guesser, "guess-" + i)).hasStatus(HttpStatus.FOUND).hasRedirectedUrl("/login?error");
		}
		MvcTestResult locked = login(guesser, DatabasePair.secret("admin-password"));
		assertThat(locked).hasStatus(HttpStatus.FOUND).hasRedirectedUrl("/login?locked");
		assertThat(locked.getResponse().getHeader("Retry-After")).matches("\\d+");
		assertThat(locked.getResponse().getCookie(SignedCookieSecurityContextRepository.COOKIE)).as("not signed in")
			.isNull();

		MvcTestResult someoneElse = login(from(randomAddress()), DatabasePair.secret("admin-password"));
		assertThat(someoneElse).as("another client is not locked out").hasStatus(HttpStatus.FOUND)
			.hasRedirectedUrl("/admin");
	}

	@Test
	void httpBasicGuessesAreThrottledToo() {
		RequestPostProcessor guesser = from(randomAddress());
		for (int i = 0; i < LoginThrottle.CLIENT_LIMIT; i++) {
			assertThat(this.mvc.get().uri("/admin/api/status").with(guesser).header("Authorization", basic("nope" + i)))
				.hasStatus(HttpStatus.UNAUTHORIZED);
		}
		MvcTestResult locked = this.mvc.get()
			.uri("/admin/api/status")
			.with(guesser)
			.header("Authorization", basic(DatabasePair.secret("admin-password")))
			.exchange();
		assertThat(locked).hasStatus(HttpStatus.TOO_MANY_REQUESTS);
		assertThat(locked.getResponse().getHeader("Retry-After")).matches("\\d+");
	}

	private MvcTestResult login(RequestPostProcessor client, String password) {
		return this.mvc.post()
			.uri("/login")
			.with(client)
			.with(csrf())
			.param("username", "admin")
			.param("password", password)
			.exchange();
	}

	private static RequestPostProcessor from(String address) {
		return (request) -> {
			request.setRemoteAddr(address);
			return request;
		};
	}

	private static String randomAddress() {
		return "10.99." + ThreadLocalRandom.current().nextInt(256) + "." + ThreadLocalRandom.current().nextInt(1, 255);
	}

	private static String basic(String password) {
		return "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
	}

}
