#!/bin/bash
# db-1 (MySQL 8.4 primary), first start only: the schema and the three accounts, which
# replicate to db-2 by GTID. Passwords come from Docker secrets.
set -o errexit -o nounset -o pipefail

app_pw=$(cat /run/secrets/db-app-password)
mig_pw=$(cat /run/secrets/db-migrations-password)
repl_pw=$(cat /run/secrets/db-replication-password)
mon_pw=$(cat /run/secrets/db-monitor-password)

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
GRANT REPLICATION CLIENT ON *.* TO 'webstack_monitor'@'%';
SQL
