package dev.webstack.dashboard;

import java.security.Principal;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * The admin dashboard: the page, its panels (refreshed in place), the same data as JSON
 * for scripts, and the runbook its alerts link to.
 */
@Controller
class DashboardController {

	private final DashboardService dashboard;

	private final MetricsSeries series;

	/** Read once: it is in the jar. */
	private final List<Runbook.Section> runbook = Runbook.fromReadme();

	DashboardController(DashboardService dashboard, MetricsSeries series) {
		this.dashboard = dashboard;
		this.series = series;
	}

	@GetMapping("/admin")
	String home(Principal principal, Model model) {
		this.dashboard.opened();
		model.addAttribute("user", principal.getName());
		model.addAttribute("report", this.dashboard.report());
		return "dashboard/home";
	}

	@GetMapping("/admin/panels")
	String panels(Model model) {
		model.addAttribute("report", this.dashboard.report());
		return "dashboard/home :: panels";
	}

	@GetMapping("/admin/runbook")
	String runbook(Model model) {
		model.addAttribute("sections", this.runbook);
		return "dashboard/runbook";
	}

	@GetMapping("/admin/api/status")
	@ResponseBody
	StatusReport status() {
		return this.dashboard.report();
	}

	@GetMapping("/admin/api/series")
	@ResponseBody
	Map<String, Object> series() {
		return this.series.lastFifteenMinutes();
	}

}
