#!/bin/bash
# db-2 (MySQL 8.4 replica), first start only: replicate from db-1 by GTID auto-position
# (the accounts and schema arrive that way), and refuse every write but replication's.
set -o errexit -o nounset -o pipefail

# root's password reaches mysql as an option file on a pipe (printf is bash's own), never
# on a command line.
mysql --defaults-extra-file=<(printf '[client]\npassword=%s\n' "$(cat /run/secrets/db-root-password)") \
  --protocol=socket -uroot <<SQL
CHANGE REPLICATION SOURCE TO
  SOURCE_HOST='db-1',
  SOURCE_PORT=3306,
  SOURCE_USER='webstack_repl',
  SOURCE_PASSWORD='$(cat /run/secrets/db-replication-password)',
  SOURCE_AUTO_POSITION=1,
  SOURCE_CONNECT_RETRY=1,
  GET_SOURCE_PUBLIC_KEY=1;
-- Takes effect at the real start that follows initialisation; replication then starts by itself.
SET PERSIST super_read_only = ON;
SQL
