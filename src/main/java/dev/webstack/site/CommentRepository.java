package dev.webstack.site;

import java.util.List;

import org.springframework.data.repository.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Comments, oldest first under their post.
 */
interface CommentRepository extends Repository<Comment, Long> {

	@Transactional(readOnly = true)
	List<Comment> findByPostIdOrderByCreatedAtAscIdAsc(Long postId);

	Comment save(Comment comment);

}
