-- The community board: posts and their comments.
CREATE TABLE post (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    title         VARCHAR(120) NOT NULL,
    body          TEXT         NOT NULL,
    author        VARCHAR(60)  NOT NULL,
    created_at    TIMESTAMP(3) NOT NULL,
    -- Kept with the post so that the list page needs no join or count.
    comment_count INT          NOT NULL DEFAULT 0,
    PRIMARY KEY (id),
    KEY post_created (created_at, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE comment (
    id         BIGINT        NOT NULL AUTO_INCREMENT,
    post_id    BIGINT        NOT NULL,
    author     VARCHAR(60)   NOT NULL,
    body       VARCHAR(2000) NOT NULL,
    created_at TIMESTAMP(3)  NOT NULL,
    PRIMARY KEY (id),
    KEY comment_post (post_id, created_at),
    CONSTRAINT comment_post_fk FOREIGN KEY (post_id) REFERENCES post (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
