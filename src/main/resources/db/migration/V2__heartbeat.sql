-- Replication lag, measured the pt-heartbeat way: the app servers write the primary's
-- clock here every second; the replica's copy shows how far behind it is.
CREATE TABLE heartbeat (
    id     TINYINT      NOT NULL,
    ts     TIMESTAMP(6) NOT NULL,
    writer VARCHAR(32)  NOT NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB;
