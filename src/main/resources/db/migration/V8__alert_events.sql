-- Every notification Alertmanager delivered to the webhook (/internal/alerts): one row per
-- alert and status. Both app servers receive each notification, and Alertmanager repeats
-- one for an alert still firing, so a row is written once per (alert, episode, status):
-- on the unique key, a second delivery only moves notified_at on. Times are epoch
-- milliseconds.
CREATE TABLE alert_event (
    id          BIGINT        NOT NULL AUTO_INCREMENT,
    fingerprint VARCHAR(32)   NOT NULL COMMENT 'Alertmanager''s hash of the alert''s labels',
    starts_at   BIGINT        NOT NULL COMMENT 'when this episode of the alert began to fire',
    status      VARCHAR(8)    NOT NULL COMMENT 'firing or resolved',
    ends_at     BIGINT        NULL     COMMENT 'when it resolved (resolved only)',
    received_at BIGINT        NOT NULL COMMENT 'its first delivery',
    notified_at BIGINT        NOT NULL COMMENT 'its latest delivery',
    alertname   VARCHAR(128)  NOT NULL,
    severity    VARCHAR(32)   NOT NULL,
    component   VARCHAR(64)   NULL     COMMENT 'the component it concerns (database or instance_name label)',
    summary     VARCHAR(1024) NOT NULL,
    labels      TEXT          NOT NULL COMMENT 'all of its labels, as JSON',
    PRIMARY KEY (id),
    UNIQUE KEY alert_event_once (fingerprint, starts_at, status),
    KEY alert_event_received (received_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
