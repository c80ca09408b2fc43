package dev.webstack.routing;

import java.util.concurrent.TimeUnit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.webstack.mysql.DatabaseFlavor;
import org.junit.jupiter.api.condition.EnabledIf;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The MySQL 8.4 pair of {@code docker/compose.yaml}, where Docker can have the official
 * mysql:8.4 image: it is on Docker Hub only, so this runs where Docker Hub is reachable (or
 * the image already pulled) and is skipped elsewhere, as on the machines this project is
 * built on. {@link MariadbReplicationIntegrationTests} runs the local images' pair there.
 */
@Testcontainers(disabledWithoutDocker = true)
@EnabledIf(value = "mysqlImageObtainable", disabledReason = "mysql:8.4 is on Docker Hub only, which is out of reach")
class MysqlReplicationIntegrationTests extends ComposeReplicationTests {

	MysqlReplicationIntegrationTests() {
		super(DatabaseFlavor.MYSQL, "MySQL", "8.4", "compose.yaml");
	}

	static boolean mysqlImageObtainable() {
		if (!DockerClientFactory.instance().isDockerAvailable()) {
			return false;
		}
		DockerClient docker = DockerClientFactory.lazyClient();
		try {
			docker.inspectImageCmd("mysql:8.4").exec();
			return true;
		}
		catch (NotFoundException ex) {
			try {
				return docker.pullImageCmd("mysql").withTag("8.4").start().awaitCompletion(10, TimeUnit.MINUTES);
			}
			catch (RuntimeException | InterruptedException pullFailed) {
				return false;
			}
		}
	}

}
