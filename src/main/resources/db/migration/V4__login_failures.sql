-- Failed sign-ins, per client address and per account, shared by every app server so that
-- round-robin does not multiply an attacker's guesses.
CREATE TABLE login_failure (
    id           VARCHAR(100) NOT NULL,
    failures     INT          NOT NULL,
    window_start TIMESTAMP(3) NOT NULL,
    locked_until TIMESTAMP(3) NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB;
