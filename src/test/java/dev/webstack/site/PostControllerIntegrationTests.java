package dev.webstack.site;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import dev.webstack.DatabasePair;
import dev.webstack.DatabasePairTests;
import jakarta.servlet.http.Cookie;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import org.springframework.web.servlet.resource.ResourceUrlProvider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;

/**
 * The site as a person uses it, through the whole application and the real databases.
 */
class PostControllerIntegrationTests extends DatabasePairTests {

	@Autowired
	private MockMvcTester mvc;

	@Autowired
	private ResourceUrlProvider urls;

	@Test
	void publishingAPostRedirectsToItWithAMessage() throws SQLException {
		String title = "Hello " + UUID.randomUUID();
		MvcTestResult created = this.mvc.post()
			.uri("/posts")
			.with(csrf())
			.param("submission", UUID.randomUUID().toString())
			.param("title", title)
			.param("body", "First words")
			.param("author", "Ada")
			.exchange();
		assertThat(created).hasStatus(HttpStatus.FOUND).hasHeader("X-App-Server", "app-test");
		assertThat(created.getResponse().getRedirectedUrl()).matches("/posts/\\d+");
		Cookie flash = created.getResponse().getCookie("WEBSTACK_FLASH");
		assertThat(flash).as("the message travels in a cookie, not a session").isNotNull();

		DatabasePair.awaitReplica();
		Document page = html(this.mvc.get().uri(created.getResponse().getRedirectedUrl()).cookie(flash).exchange());
		assertThat(page.select(".flash").text()).isEqualTo("Your post is published.");
		assertThat(page.select("article h1").text()).isEqualTo(title);
		assertThat(page.select("article .meta").text()).contains("Ada");
	}

	@Test
	void invalidPostIsRefusedWithTheMessagesOnTheFormAndNothingStored() throws SQLException {
		String author = "validator-" + UUID.randomUUID();
		MvcTestResult result = this.mvc.post()
			.uri("/posts")
			.with(csrf())
			.param("submission", UUID.randomUUID().toString())
			.param("title", "   ")
			.param("body", "x".repeat(PostForm.BODY_MAX + 1))
			.param("author", author)
			.exchange();
		assertThat(result).hasStatus(HttpStatus.BAD_REQUEST);
		Document form = html(result);
		assertThat(form.select(".field-error").eachText()).containsExactlyInAnyOrder("Give your post a title.",
				"Keep the post under 10000 characters.");
		assertThat(form.select("input#author").val()).as("what was typed is kept").isEqualTo(author);
		assertThat(postsBy(author)).as("nothing stored").isZero();
	}

	@Test
	void staticFilesHaveContentHashedUrlsCachedAYearAndPageLinksStayAsTheyAre() throws Exception {
		Document list = html(this.mvc.get().uri("/").exchange());
		String stylesheet = list.select("link[rel=stylesheet]").attr("href");
		assertThat(stylesheet).matches("/css/site-[0-9a-f]{32}\\.css");
		assertThat(this.mvc.get().uri(stylesheet).exchange()).hasStatusOk()
			.hasHeader("Cache-Control", "max-age=31536000");
		assertThat(list.select("ol.posts a.title").eachAttr("href")).allMatch((href) -> href.matches("/posts/\\d+"));
		// WebJars too: a new version of a library gets a new URL.
		assertThat(this.urls.getForLookupPath("/webjars/htmx.org/dist/htmx.min.js"))
			.matches("/webjars/htmx.org/[0-9.]+/dist/htmx.min-[0-9a-f]{32}\\.js");
		// Every file of static/ is served (WebConfiguration maps its folders; nothing maps /**).
		Path root = Path.of("src/main/resources/static");
		try (Stream<Path> files = Files.walk(root)) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				assertThat(this.mvc.get().uri("/" + root.relativize(file)).exchange()).as(file.toString()).hasStatusOk();
			}
		}
	}

	private static int postsBy(String author) throws SQLException {
		return DatabasePair.count(DatabasePair.PRIMARY_PORT, "select count(*) from post where author = ?", author);
	}

	@Test
	void aReplayedOrDoubleClickedSubmitIsAppliedOnce() throws SQLException {
		String token = UUID.randomUUID().toString();
		String author = "replayer-" + UUID.randomUUID();
		List<String> locations = new java.util.ArrayList<>();
		for (int i = 0; i < 3; i++) {
			MvcTestResult sent = this.mvc.post()
				.uri("/posts")
				.with(csrf())
				.param("submission", token)
				.param("title", "Once")
				.param("body", "only once")
				.param("author", author)
				.exchange();
			assertThat(sent).hasStatus(HttpStatus.FOUND);
			locations.add(sent.getResponse().getRedirectedUrl());
		}
		assertThat(locations).as("every replay leads to the one post").containsOnly(locations.get(0));
		assertThat(postsBy(author)).isEqualTo(1);

		String id = locations.get(0).substring(locations.get(0).lastIndexOf('/') + 1);
		String commentToken = UUID.randomUUID().toString();
		for (int i = 0; i < 2; i++) {
			assertThat(this.mvc.post()
				.uri("/posts/" + id + "/comments")
				.with(csrf())
				.param("submission", commentToken)
				.param("body", "just once")
				.param("author", author)).hasStatus(HttpStatus.FOUND);
		}
		DatabasePair.awaitReplica();
		Document page = html(this.mvc.get().uri("/posts/" + id).exchange());
		assertThat(page.select(".comments .body").eachText()).containsExactly("just once");
		assertThat(page.select("#comments").text()).isEqualTo("1 comment");
	}

	@Test
	void aFormWithoutAValidOneTimeTokenIsRefusedAndOfferedAFreshOne() throws SQLException {
		String author = "tokenless-" + UUID.randomUUID();
		MvcTestResult result = this.mvc.post()
			.uri("/posts")
			.with(csrf())
			.param("submission", "not-a-token")
			.param("title", "t")
			.param("body", "b")
			.param("author", author)
			.exchange();
		assertThat(result).hasStatus(HttpStatus.BAD_REQUEST);
		Document form = html(result);
		assertThat(form.select(".field-error").eachText()).containsExactly("This form has expired; please send it again.");
		assertThat(form.select("input[name=submission]").val()).matches("[0-9a-f-]{36}");
		assertThat(form.select("input#author").val()).isEqualTo(author);
		assertThat(postsBy(author)).isZero();
	}

	@Test
	void aFormPostedWithoutItsCsrfTokenIsRefused() {
		assertThat(this.mvc.post().uri("/posts").param("title", "t").param("body", "b").param("author", "a"))
			.hasStatus(HttpStatus.FORBIDDEN);
	}

	@Test
	void everyFormCarriesACsrfToken() {
		assertThat(html(this.mvc.get().uri("/posts/new").exchange()).select("form[method=post] input[name=_csrf]"))
			.isNotEmpty();
	}

	@Test
	void userWrittenTextIsRenderedEscaped() throws SQLException {
		String id = publish("<script>alert('t')</script>" + UUID.randomUUID(), "<img src=x onerror=alert(1)>");
		DatabasePair.awaitReplica();
		MvcTestResult page = this.mvc.get().uri("/posts/" + id).exchange();
		String body = text(page);
		assertThat(body).doesNotContain("<script>alert").doesNotContain("<img src=x").contains("&lt;script&gt;");
	}

	@Test
	void commentsAppearUnderTheirPostAndCountOnTheList() throws SQLException {
		String title = "Commented " + UUID.randomUUID();
		String id = publish(title, "body");
		assertThat(this.mvc.post()
			.uri("/posts/" + id + "/comments")
			.with(csrf())
			.param("submission", UUID.randomUUID().toString())
			.param("body", "Nice one")
			.param("author", "Grace")).hasStatus(HttpStatus.FOUND).hasRedirectedUrl("/posts/" + id + "#comments");
		DatabasePair.awaitReplica();

		Document page = html(this.mvc.get().uri("/posts/" + id).exchange());
		assertThat(page.select(".comments .body").eachText()).containsExactly("Nice one");
		assertThat(page.select("#comments").text()).isEqualTo("1 comment");
		Document results = html(this.mvc.get().uri("/search").param("q", title).exchange());
		assertThat(results.select(".posts li .meta").text()).contains("1 comment");
	}

	@Test
	void anInvalidCommentIsRefusedAndAMissingPostIs404() throws SQLException {
		String id = publish("Quiet " + UUID.randomUUID(), "body");
		DatabasePair.awaitReplica();
		MvcTestResult invalid = this.mvc.post()
			.uri("/posts/" + id + "/comments")
			.with(csrf())
			.param("submission", UUID.randomUUID().toString())
			.param("body", "")
			.param("author", "Grace")
			.exchange();
		assertThat(invalid).hasStatus(HttpStatus.BAD_REQUEST);
		assertThat(html(invalid).select(".field-error").eachText()).containsExactly("Write something in the comment.");

		assertThat(this.mvc.post()
			.uri("/posts/999999999/comments")
			.with(csrf())
			.param("submission", UUID.randomUUID().toString())
			.param("body", "hello")
			.param("author", "Grace")).hasStatus(HttpStatus.NOT_FOUND);
	}

	@Test
	void aMissingPostGetsTheNotFoundPage() {
		MvcTestResult result = this.mvc.get().uri("/posts/999999999").exchange();
		assertThat(result).hasStatus(HttpStatus.NOT_FOUND);
	}

	@Test
	void theListIsNewestFirstAndPaginated() throws SQLException {
		String run = UUID.randomUUID().toString().substring(0, 8);
		for (int i = 1; i <= PostController.PAGE_SIZE + 1; i++) {
			publish("Page test " + run + " #" + i, "body");
		}
		DatabasePair.awaitReplica();
		Document first = html(this.mvc.get().uri("/").exchange());
		assertThat(first.select(".posts li")).hasSize(PostController.PAGE_SIZE);
		assertThat(first.select(".posts .title").first().text()).isEqualTo("Page test " + run + " #21");
		assertThat(first.select("a[rel=next]").attr("href")).isEqualTo("/?page=1");
		Document second = html(this.mvc.get().uri("/?page=1").exchange());
		assertThat(second.select(".posts .title").first().text()).isEqualTo("Page test " + run + " #1");
		assertThat(second.select("a[rel=prev]").attr("href")).isEqualTo("/?page=0");
	}

	@Test
	void absurdPagingIsABadRequest() {
		assertThat(this.mvc.get().uri("/?page=-1")).hasStatus(HttpStatus.BAD_REQUEST);
		assertThat(this.mvc.get().uri("/?page=abc")).hasStatus(HttpStatus.BAD_REQUEST);
		assertThat(this.mvc.get().uri("/?page=99999999999")).hasStatus(HttpStatus.BAD_REQUEST);
	}

	@Test
	void searchFindsTitlesWithAllTheWordsAndTreatsWildcardsLiterally() throws SQLException {
		String word = "zebra" + UUID.randomUUID().toString().substring(0, 6);
		publish("The " + word + " crossing", "body");
		publish("A " + word + " at 100% speed", "body");
		DatabasePair.awaitReplica();
		assertThat(titles("/search", word + " CROSSING")).containsExactly("The " + word + " crossing");
		assertThat(titles("/search", word + " 100%")).containsExactly("A " + word + " at 100% speed");
		assertThat(titles("/search", word + " %")).containsExactly("A " + word + " at 100% speed");
		assertThat(titles("/search", word + " giraffe")).isEmpty();
		assertThat(this.mvc.get().uri("/search").param("q", "x".repeat(101))).hasStatus(HttpStatus.BAD_REQUEST);
	}

	@Test
	void theFooterNamesTheServerAndWhereReadsWent() {
		// Right after start, the replica's heartbeat row is as old as the last run: reads stay
		// on the primary until three fresh measurements (ReplicationMonitor's hysteresis).
		MvcTestResult result = await("reads on the replica").atMost(Duration.ofSeconds(10))
			.pollInSameThread()
			.pollInterval(Duration.ofMillis(100))
			.until(() -> this.mvc.get().uri("/").exchange(),
					(r) -> "replica".equals(r.getResponse().getHeader("X-Read-From")));
		Document page = html(result);
		assertThat(page.select("footer .app-server").text()).isEqualTo("app-test");
		assertThat(page.select("footer .read-route").text()).isEqualTo("replica (read-only transaction)");
	}

	private List<String> titles(String uri, String query) {
		return html(this.mvc.get().uri(uri).param("q", query).exchange()).select(".posts .title").eachText();
	}

	private String publish(String title, String body) {
		MvcTestResult created = this.mvc.post()
			.uri("/posts")
			.with(csrf())
			.param("submission", UUID.randomUUID().toString())
			.param("title", title)
			.param("body", body)
			.param("author", "tester")
			.exchange();
		assertThat(created).hasStatus(HttpStatus.FOUND);
		String location = created.getResponse().getRedirectedUrl();
		return location.substring(location.lastIndexOf('/') + 1);
	}

	private static Document html(MvcTestResult result) {
		return Jsoup.parse(text(result));
	}

	private static String text(MvcTestResult result) {
		return new String(result.getResponse().getContentAsByteArray(), StandardCharsets.UTF_8);
	}

}
