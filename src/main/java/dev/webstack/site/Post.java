package dev.webstack.site;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A post on the board.
 */
@Entity
@Table(name = "post")
public class Post {

	@Id
	@GeneratedValue(strategy = GenerationType.IDENTITY)
	private Long id;

	@Column(nullable = false, length = PostForm.TITLE_MAX)
	private String title;

	@Column(nullable = false, columnDefinition = "TEXT")
	private String body;

	@Column(nullable = false, length = PostForm.AUTHOR_MAX)
	private String author;

	@Column(name = "created_at", nullable = false)
	private Instant createdAt;

	@Column(name = "comment_count", nullable = false)
	private int commentCount;

	protected Post() {
	}

	Post(String title, String body, String author, Instant createdAt) {
		this.title = title;
		this.body = body;
		this.author = author;
		this.createdAt = createdAt;
	}

	public Long getId() {
		return this.id;
	}

	public String getTitle() {
		return this.title;
	}

	public String getBody() {
		return this.body;
	}

	public String getAuthor() {
		return this.author;
	}

	public Instant getCreatedAt() {
		return this.createdAt;
	}

	public int getCommentCount() {
		return this.commentCount;
	}

}
