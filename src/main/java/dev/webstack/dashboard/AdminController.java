package dev.webstack.dashboard;

import java.security.Principal;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The admin side: the sign-in page and the admin home behind it.
 */
@Controller
class AdminController {

	@GetMapping("/login")
	String login() {
		return "dashboard/login";
	}

	@GetMapping("/admin")
	String home(Principal principal, Model model) {
		model.addAttribute("user", principal.getName());
		return "dashboard/home";
	}

}
