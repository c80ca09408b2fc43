package dev.webstack.site;

import java.util.Optional;

import org.springframework.data.domain.Pageable;
import org.springframework.data.domain.Slice;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.Repository;
import org.springframework.data.repository.query.Param;
import org.springframework.transaction.annotation.Transactional;

/**
 * Posts. Reads are read-only transactions, and so go to the replica.
 */
interface PostRepository extends Repository<Post, Long>, JpaSpecificationExecutor<Post> {

	@Transactional(readOnly = true)
	@Query("select new dev.webstack.site.PostSummary(p.id, p.title, p.author, p.createdAt, p.commentCount) "
			+ "from Post p order by p.createdAt desc, p.id desc")
	Slice<PostSummary> findNewest(Pageable pageable);

	@Transactional(readOnly = true)
	Optional<Post> findById(Long id);

	Post save(Post post);

	@Transactional
	@Modifying
	@Query("update Post p set p.commentCount = p.commentCount + 1 where p.id = :id")
	int incrementCommentCount(@Param("id") Long id);

}
