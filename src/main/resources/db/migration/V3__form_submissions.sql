-- One-time form tokens: every form carries a fresh token, and a submission is applied at
-- most once per token. A replayed or double-clicked submit finds its token here and is
-- answered with what the first one made, instead of writing again.
CREATE TABLE form_submission (
    token      CHAR(36)     NOT NULL,
    post_id    BIGINT       NOT NULL,
    created_at TIMESTAMP(3) NOT NULL,
    PRIMARY KEY (token)
) ENGINE = InnoDB;
