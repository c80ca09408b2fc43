package dev.webstack.routing;

import java.time.Duration;

import dev.webstack.ChildProcess;
import dev.webstack.mysql.DatabaseFlavor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MariaDB 10.11 pair of {@code docker/compose.local.yaml} over {@code compose.yaml},
 * from the local image that {@code docker/local-images.sh} builds from Debian's packages:
 * what runs where Docker runs but cannot pull images, as on this project's build machines.
 * Needs a Docker engine (./stack test starts one) and root for the base image's debootstrap.
 */
class MariadbReplicationIntegrationTests extends ComposeReplicationTests {

	MariadbReplicationIntegrationTests() {
		super(DatabaseFlavor.MARIADB, "MariaDB", "10.11", "compose.yaml", "compose.local.yaml");
	}

	@Override
	void prepare() throws Exception {
		ChildProcess.Result built = ChildProcess.run(new ProcessBuilder("docker/local-images.sh", "db"),
				Duration.ofMinutes(10));
		assertThat(built.finished() && built.exitCode() == 0).as("docker/local-images.sh db: %s", built.output()).isTrue();
	}

}
