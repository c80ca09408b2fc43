package dev.webstack.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.springframework.core.io.ClassPathResource;

/**
 * The README's runbook ({@code ## Runbook}: one {@code ### AlertName} section per alert),
 * from the copy of the README in the jar, for the dashboard's alerts to link to.
 */
final class Runbook {

	static final String HEADING = "## Runbook";

	/** One alert's section: its anchor (the alert's name in lower case), its name, its text. */
	record Section(String anchor, String title, String text) {
	}

	private Runbook() {
	}

	static List<Section> fromReadme() {
		ClassPathResource readme = new ClassPathResource("runbook/README.md");
		try (InputStream in = readme.getInputStream()) {
			return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("The README is not in the jar", ex);
		}
	}

	static List<Section> parse(String readme) {
		List<Section> sections = new ArrayList<>();
		boolean inRunbook = false;
		String title = null;
		StringBuilder text = new StringBuilder();
		for (String line : readme.split("\n", -1)) {
			if (line.startsWith("## ")) {
				if (inRunbook) {
					break;
				}
				inRunbook = line.strip().equals(HEADING);
			}
			else if (inRunbook && line.startsWith("### ")) {
				add(sections, title, text);
				title = line.substring(4).strip();
				text.setLength(0);
			}
			else if (title != null) {
				text.append(line).append('\n');
			}
		}
		add(sections, title, text);
		return sections;
	}

	private static void add(List<Section> sections, String title, StringBuilder text) {
		if (title != null) {
			sections.add(new Section(title.toLowerCase(Locale.ROOT), title, text.toString().strip()));
		}
	}

}
