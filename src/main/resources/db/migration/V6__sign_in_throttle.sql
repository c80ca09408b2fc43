-- The sign-in throttle (security/LoginThrottle), shared by every app server so that
-- round-robin does not multiply anyone's attempts. It replaces login_failure, whose hard
-- lock let anybody lock the admin out.

DROP TABLE login_failure;

-- Attempts per client address in the current 15-minute window; a success clears them.
CREATE TABLE sign_in_client (
    address      VARCHAR(45)  NOT NULL,
    attempts     INT          NOT NULL,
    window_start TIMESTAMP(3) NOT NULL,
    PRIMARY KEY (address)
) ENGINE = InnoDB;

-- Failed attempts per account (user name as Spring Security normalises it) in the current
-- window, and, once they pass the threshold, the earliest moment a client that has not
-- signed in to this account before may try again.
CREATE TABLE sign_in_account (
    username     VARCHAR(80)  NOT NULL,
    failures     INT          NOT NULL,
    window_start TIMESTAMP(3) NOT NULL,
    next_attempt TIMESTAMP(3) NOT NULL,
    PRIMARY KEY (username)
) ENGINE = InnoDB;

-- Clients in good standing: addresses that signed in to an account recently. They are
-- never slowed by other clients' failures against that account.
CREATE TABLE sign_in_known_client (
    username     VARCHAR(80)  NOT NULL,
    address      VARCHAR(45)  NOT NULL,
    last_success TIMESTAMP(3) NOT NULL,
    PRIMARY KEY (username, address)
) ENGINE = InnoDB;
