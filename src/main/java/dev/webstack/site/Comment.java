package dev.webstack.site;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A comment on a post.
 */
@Entity
@Table(name = "comment")
public class Comment {

	@Id
	@GeneratedValue(strategy = GenerationType.IDENTITY)
	private Long id;

	@Column(name = "post_id", nullable = false)
	private Long postId;

	@Column(nullable = false, length = CommentForm.AUTHOR_MAX)
	private String author;

	@Column(nullable = false, length = CommentForm.BODY_MAX)
	private String body;

	@Column(name = "created_at", nullable = false)
	private Instant createdAt;

	protected Comment() {
	}

	Comment(Long postId, String author, String body, Instant createdAt) {
		this.postId = postId;
		this.author = author;
		this.body = body;
		this.createdAt = createdAt;
	}

	public Long getId() {
		return this.id;
	}

	public Long getPostId() {
		return this.postId;
	}

	public String getAuthor() {
		return this.author;
	}

	public String getBody() {
		return this.body;
	}

	public Instant getCreatedAt() {
		return this.createdAt;
	}

}
