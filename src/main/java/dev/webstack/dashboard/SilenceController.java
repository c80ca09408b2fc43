package dev.webstack.dashboard;

import java.io.IOException;
import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletResponse;

import dev.webstack.alerts.AlertEvent;
import dev.webstack.alerts.AlertLog;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Silences, from the dashboard: Debian's Alertmanager ships no web UI, so an admin
 * silences a firing alert here (exactly that alert: all of its labels) for 1, 4 or 24
 * hours with a reason, sees the silences in force, and ends one early. Each is made
 * through Alertmanager's API, under the admin's name.
 */
@Controller
class SilenceController {

	static final List<Integer> HOURS = List.of(1, 4, 24);

	static final int COMMENT_MAX = 200;

	private static final Pattern SILENCE_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

	private final Silences silences;

	private final AlertLog alerts;

	SilenceController(Silences silences, AlertLog alerts) {
		this.silences = silences;
		this.alerts = alerts;
	}

	@GetMapping("/admin/silences")
	String list(@RequestParam(required = false) String fingerprint, Model model, HttpServletResponse response) {
		if (fingerprint != null) {
			Optional<AlertEvent> alert = find(fingerprint);
			if (alert.isEmpty()) {
				response.setStatus(404);
				model.addAttribute("error", "No such alert.");
			}
			alert.ifPresent((found) -> model.addAttribute("alert", found));
		}
		return page(model);
	}

	@PostMapping("/admin/silences")
	String silence(@RequestParam String fingerprint, @RequestParam(required = false) Integer hours,
			@RequestParam(defaultValue = "") String comment, Principal admin, Model model,
			HttpServletResponse response, RedirectAttributes redirect) {
		if (!this.silences.available()) {
			return unavailable(model, response, "No Alertmanager runs in this deployment, nothing changed.");
		}
		Optional<AlertEvent> alert = find(fingerprint);
		String problem = alert.isEmpty() ? "No such alert." : (hours == null || !HOURS.contains(hours))
				? "Choose how long: 1, 4 or 24 hours." : invalidComment(comment.strip());
		if (problem != null) {
			response.setStatus(alert.isEmpty() ? 404 : 400);
			model.addAttribute("error", problem);
			alert.ifPresent((found) -> model.addAttribute("alert", found));
			model.addAttribute("comment", comment);
			return page(model);
		}
		try {
			this.silences.silence(alert.get().labels(), Duration.ofHours(hours), admin.getName(), comment.strip());
		}
		catch (IOException ex) {
			return unavailable(model, response, "Alertmanager does not answer, nothing changed: " + ex.getMessage());
		}
		redirect.addFlashAttribute("message",
				"Silenced " + alert.get().alertname() + " for " + hours + (hours == 1 ? " hour." : " hours."));
		return "redirect:/admin/silences";
	}

	@PostMapping("/admin/silences/{id}/expire")
	String expire(@PathVariable String id, Model model, HttpServletResponse response, RedirectAttributes redirect) {
		if (!this.silences.available()) {
			return unavailable(model, response, "No Alertmanager runs in this deployment, nothing changed.");
		}
		if (!SILENCE_ID.matcher(id).matches()) {
			response.setStatus(400);
			model.addAttribute("error", "No such silence.");
			return page(model);
		}
		try {
			this.silences.expire(id);
		}
		catch (IOException ex) {
			return unavailable(model, response, "Alertmanager does not answer, nothing changed: " + ex.getMessage());
		}
		redirect.addFlashAttribute("message", "The silence has ended.");
		return "redirect:/admin/silences";
	}

	private Optional<AlertEvent> find(String fingerprint) {
		return AlertEvent.FINGERPRINT.matcher(fingerprint).matches() ? this.alerts.latest(fingerprint)
				: Optional.empty();
	}

	private static String invalidComment(String comment) {
		if (comment.isEmpty()) {
			return "Say why (the reason is kept with the silence).";
		}
		if (comment.length() > COMMENT_MAX || comment.chars().anyMatch(Character::isISOControl)) {
			return "Keep the reason to one line of at most " + COMMENT_MAX + " characters.";
		}
		return null;
	}

	private String page(Model model) {
		model.addAttribute("hours", HOURS);
		if (!this.silences.available()) {
			model.addAttribute("unavailable", "No Alertmanager runs in this deployment.");
			return "dashboard/silences";
		}
		try {
			model.addAttribute("silences", this.silences.active());
		}
		catch (IOException ex) {
			model.addAttribute("unavailable", "Alertmanager does not answer: " + ex.getMessage());
		}
		return "dashboard/silences";
	}

	private String unavailable(Model model, HttpServletResponse response, String why) {
		response.setStatus(503);
		model.addAttribute("error", why);
		return page(model);
	}

}
