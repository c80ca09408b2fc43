package dev.webstack;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole application on real ports: the site on one, Actuator on the management port
 * only; its schema migrated by an account whose password it does not keep.
 */
class WebstackApplicationTests extends DatabasePairTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@LocalManagementPort
	private int managementPort;

	@Autowired
	private Flyway flyway;

	@Test
	void servesTheSiteNamingTheAppServer() throws Exception {
		HttpResponse<String> home = get(this.port, "/");
		assertThat(home.statusCode()).isEqualTo(200);
		assertThat(home.headers().firstValue("X-App-Server")).hasValue("app-test");
		assertThat(home.body()).contains("Newest posts");
		HttpResponse<String> css = get(this.port, "/css/site.css");
		assertThat(css.statusCode()).isEqualTo(200);
		assertThat(css.headers().firstValue("X-App-Server")).hasValue("app-test");
	}

	@Test
	void actuatorIsOnTheManagementPortOnly() throws Exception {
		assertThat(get(this.managementPort, "/actuator/health").body()).contains("\"status\":\"UP\"");
		assertThat(get(this.managementPort, "/actuator/prometheus").body())
			.contains("hikaricp_connections_max{application=\"webstack\"", "pool=\"replica\"")
			.contains("webstack_datasource_connections_total");
		assertThat(get(this.port, "/actuator/health").statusCode()).isEqualTo(404);
		assertThat(get(this.port, "/actuator/prometheus").statusCode()).isEqualTo(404);
	}

	@Test
	void errorsShowNoStackTraceOrFrameworkPage() throws Exception {
		HttpResponse<String> page = get(this.port, "/posts/not-a-number", "text/html");
		assertThat(page.statusCode()).isEqualTo(400);
		assertThat(page.body()).contains("That request could not be handled")
			.doesNotContain("Exception")
			.doesNotContain("Whitelabel")
			.doesNotContain("at dev.webstack");
		HttpResponse<String> json = get(this.port, "/posts/not-a-number", "application/json");
		assertThat(json.statusCode()).isEqualTo(400);
		assertThat(json.body()).contains("\"status\":400").doesNotContain("Exception").doesNotContain("trace");
	}

	@Test
	void theMigrationsAccountMigratesAndItsPasswordIsNotKept() {
		assertThat(this.flyway.info().pending()).as("nothing left to migrate").isEmpty();
		assertThat(DatabasePair.rootSql("db-1", "select distinct installed_by from webstack.flyway_schema_history"))
			.isEqualTo("webstack_migrations");
		assertThat(this.flyway.getConfiguration().getPassword()).as("the DDL password, after start").isNull();
		assertThat(this.flyway.getConfiguration().getDataSource().getClass().getName())
			.as("no DriverDataSource, which would keep it")
			.doesNotContain("DriverDataSource");
	}

	private HttpResponse<String> get(int port, String path) throws Exception {
		return get(port, path, "*/*");
	}

	private HttpResponse<String> get(int port, String path, String accept) throws Exception {
		return this.http.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Accept", accept).build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
