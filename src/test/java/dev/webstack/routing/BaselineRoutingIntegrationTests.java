package dev.webstack.routing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.webstack.AppServer;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two baselines that {@code ./stack bench} sets against the read/write split, against
 * the real pair: where their reads and writes land, as the databases report it, and that
 * the site works on each.
 */
class BaselineRoutingIntegrationTests {

	@Test
	void connectorJProfileReadsFromTheReplicaAndWritesToThePrimaryThroughTheDriver() throws Exception {
		try (AppServer app = AppServer.start("app-cj", "--spring.profiles.active=connectorj")) {
			DataSource dataSource = app.bean(DataSource.class);
			assertThat(dataSource).isInstanceOfSatisfying(HikariDataSource.class,
					(pool) -> assertThat(pool.getJdbcUrl()).startsWith("jdbc:mysql:replication://"));
			assertThat(whoAnswers(app, true)).isEqualTo(AnsweringServer.REPLICA);
			assertThat(whoAnswers(app, false)).isEqualTo(AnsweringServer.PRIMARY);
			assertThat(listPage(app)).isEqualTo(200);
		}
	}

	@Test
	void primaryOnlyProfileSendsEveryQueryToThePrimary() throws Exception {
		try (AppServer app = AppServer.start("app-primary", "--spring.profiles.active=primary-only")) {
			assertThat(app.bean(DataSource.class)).isInstanceOf(HikariDataSource.class);
			assertThat(whoAnswers(app, true)).isEqualTo(AnsweringServer.PRIMARY);
			assertThat(whoAnswers(app, false)).isEqualTo(AnsweringServer.PRIMARY);
			assertThat(listPage(app)).isEqualTo(200);
		}
	}

	@Test
	void replicationUrlListsThePrimaryFirst() {
		assertThat(DataSourceProperties.replicationUrl("jdbc:mysql://db-1:3306/webstack?useSSL=false",
				"jdbc:mysql://db-2:3306/webstack"))
			.isEqualTo("jdbc:mysql:replication://db-1:3306,db-2:3306/webstack?useSSL=false");
	}

	/** Which server answers a transaction, read-only or not, as it reports itself. */
	private static AnsweringServer whoAnswers(AppServer app, boolean readOnly) {
		TransactionTemplate transaction = new TransactionTemplate(app.bean(PlatformTransactionManager.class));
		transaction.setReadOnly(readOnly);
		JdbcTemplate jdbc = new JdbcTemplate(app.bean(DataSource.class));
		return transaction.execute((status) -> AnsweringServer.of(jdbc));
	}

	private static int listPage(AppServer app) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(app.url("/"))).build(), HttpResponse.BodyHandlers.discarding())
			.statusCode();
	}

}
