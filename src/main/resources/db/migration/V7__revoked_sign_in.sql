-- Sign-ins ended before their cookie expired (logout), shared by every app server: the
-- sign-in cookie is stateless, so a copy of it would otherwise still work after logout.
-- A row is useless once the cookie has expired, and is deleted then.
CREATE TABLE revoked_sign_in (
    id         VARCHAR(32) NOT NULL,
    expires_at BIGINT      NOT NULL COMMENT 'epoch seconds: when the cookie expires anyway',
    PRIMARY KEY (id)
) ENGINE = InnoDB;
