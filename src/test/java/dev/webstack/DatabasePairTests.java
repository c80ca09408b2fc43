package dev.webstack;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the tests that run the whole application against the real primary/replica
 * pair. They share one application context (same configuration, so Spring caches it).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "webstack.instance-name=app-test" })
@AutoConfigureMockMvc
public abstract class DatabasePairTests {

	@DynamicPropertySource
	static void databasePair(DynamicPropertyRegistry registry) {
		DatabasePair.register(registry);
	}

}
