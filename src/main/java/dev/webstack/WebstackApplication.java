package dev.webstack;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The community board that both application servers run.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class WebstackApplication {

	public static void main(String[] args) {
		SpringApplication.run(WebstackApplication.class, args);
	}

}
