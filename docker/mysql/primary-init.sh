#!/bin/bash
# db-1 (the primary), first start only: the schema and the four accounts, which replicate
# to db-2 by GTID. Passwords come from Docker secrets. The same script serves MySQL 8.4
# (compose.yaml) and MariaDB 10.11 (compose.local.yaml's images).
set -o errexit -o nounset -o pipefail

app_pw=$(cat /run/secrets/db-app-password)
mig_pw=$(cat /run/secrets/db-migrations-password)
repl_pw=$(cat /run/secrets/db-replication-password)
mon_pw=$(cat /run/secrets/db-monitor-password)
# Reading the replica's status: MySQL's REPLICATION CLIENT; MariaDB (10.5 on) REPLICA MONITOR.
if mysql --version | grep -q MariaDB; then monitor_grant='REPLICA MONITOR'; else monitor_grant='REPLICATION CLIENT'; fi

# root's password reaches mysql as an option file on a pipe (printf is bash's own), never
# on a command line.
mysql --defaults-extra-file=<(printf '[client]\npassword=%s\n' "$(cat /run/secrets/db-root-password)") \
  --protocol=socket -uroot <<SQL
CREATE DATABASE IF NOT EXISTS webstack CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'webstack_app'@'%' IDENTIFIED BY '${app_pw}';
CREATE USER 'webstack_migrations'@'%' IDENTIFIED BY '${mig_pw}';
CREATE USER 'webstack_repl'@'%' IDENTIFIED BY '${repl_pw}';
GRANT SELECT, INSERT, UPDATE, DELETE ON webstack.* TO 'webstack_app'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, REFERENCES, CREATE VIEW, SHOW VIEW
  ON webstack.* TO 'webstack_migrations'@'%';
GRANT REPLICATION SLAVE ON *.* TO 'webstack_repl'@'%';
CREATE USER 'webstack_monitor'@'%' IDENTIFIED BY '${mon_pw}';
GRANT ${monitor_grant} ON *.* TO 'webstack_monitor'@'%';
SQL
