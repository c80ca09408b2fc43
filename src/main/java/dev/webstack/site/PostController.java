package dev.webstack.site;

import java.util.List;

import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;

import org.springframework.beans.propertyeditors.StringTrimmerEditor;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Slice;
import org.springframework.data.domain.Sort;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.InitBinder;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The board as end users see it: the list of posts, one post with its comments, writing
 * posts and comments, and searching titles.
 */
@Controller
class PostController {

	static final int PAGE_SIZE = 20;

	static final int PAGE_MAX = 10_000;

	private final PostRepository posts;

	private final CommentRepository comments;

	private final CommentService commentService;

	private final PostService postService;

	PostController(PostRepository posts, CommentRepository comments, CommentService commentService,
			PostService postService) {
		this.posts = posts;
		this.comments = comments;
		this.commentService = commentService;
		this.postService = postService;
	}

	@InitBinder
	void trimInput(WebDataBinder binder) {
		binder.registerCustomEditor(String.class, new StringTrimmerEditor(false));
	}

	@GetMapping("/")
	String list(@RequestParam(defaultValue = "0") int page, Model model) {
		if (page < 0 || page > PAGE_MAX) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "page must be between 0 and " + PAGE_MAX);
		}
		Slice<PostSummary> slice = this.posts.findNewest(PageRequest.of(page, PAGE_SIZE));
		model.addAttribute("posts", slice);
		return "site/list";
	}

	@GetMapping("/posts/new")
	String newPost(Model model) {
		model.addAttribute("postForm", PostForm.empty());
		return "site/postForm";
	}

	@PostMapping("/posts")
	String create(@Valid @ModelAttribute("postForm") PostForm form, BindingResult result, Model model,
			HttpServletResponse response, RedirectAttributes redirect) {
		if (result.hasErrors()) {
			response.setStatus(HttpStatus.BAD_REQUEST.value());
			if (result.hasFieldErrors("submission")) {
				model.addAttribute("freshSubmission", Submissions.newToken());
			}
			return "site/postForm";
		}
		PostService.Outcome outcome;
		try {
			outcome = this.postService.publish(form);
		}
		catch (DuplicateKeyException ex) {
			// The same form was sent twice at once, and the other submission won.
			outcome = new PostService.Outcome(this.postService.publishedWith(form.submission()).orElseThrow(), false);
		}
		redirect.addFlashAttribute("message",
				outcome.created() ? "Your post is published." : "This post was already published; here it is.");
		return "redirect:/posts/" + outcome.postId();
	}

	@GetMapping("/posts/{id}")
	String show(@PathVariable long id, Model model) {
		model.addAttribute("commentForm", CommentForm.empty());
		return showPost(id, model);
	}

	@PostMapping("/posts/{id}/comments")
	String comment(@PathVariable long id, @Valid @ModelAttribute("commentForm") CommentForm form,
			BindingResult result, Model model, HttpServletResponse response, RedirectAttributes redirect) {
		if (result.hasErrors()) {
			response.setStatus(HttpStatus.BAD_REQUEST.value());
			if (result.hasFieldErrors("submission")) {
				model.addAttribute("freshSubmission", Submissions.newToken());
			}
			return showPost(id, model);
		}
		CommentService.Outcome outcome;
		try {
			outcome = this.commentService.addComment(id, form);
		}
		catch (DuplicateKeyException ex) {
			outcome = CommentService.Outcome.ALREADY_ADDED;
		}
		if (outcome == CommentService.Outcome.NO_SUCH_POST) {
			throw new ResponseStatusException(HttpStatus.NOT_FOUND, "No such post");
		}
		redirect.addFlashAttribute("message", (outcome == CommentService.Outcome.ADDED) ? "Your comment is posted."
				: "This comment was already posted; here it is.");
		return "redirect:/posts/" + id + "#comments";
	}

	private String showPost(long id, Model model) {
		Post post = this.posts.findById(id)
			.orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No such post"));
		model.addAttribute("post", post);
		model.addAttribute("comments", this.comments.findByPostIdOrderByCreatedAtAscIdAsc(id));
		return "site/post";
	}

	@GetMapping("/search")
	String search(@RequestParam(name = "q", required = false) String query, Model model) {
		if (query != null && query.length() > PostSearch.QUERY_MAX) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"Search for at most " + PostSearch.QUERY_MAX + " characters");
		}
		List<String> words = PostSearch.words(query);
		model.addAttribute("q", (query != null) ? query.strip() : "");
		if (!words.isEmpty()) {
			Sort newestFirst = Sort.by(Sort.Order.desc("createdAt"), Sort.Order.desc("id"));
			List<PostSummary> results = this.posts
				.findBy(PostSearch.titleContainsAll(words), (q) -> q.sortBy(newestFirst).limit(PAGE_SIZE).all())
				.stream()
				.map((p) -> new PostSummary(p.getId(), p.getTitle(), p.getAuthor(), p.getCreatedAt(),
						p.getCommentCount()))
				.toList();
			model.addAttribute("results", results);
		}
		return "site/search";
	}

}
