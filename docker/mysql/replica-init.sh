#!/bin/bash
# db-2 (the replica), first start only: replicate from db-1 by GTID (the accounts and
# schema arrive that way), and refuse every write but replication's. Replication starts
# with the real server that follows initialisation. The same script serves MySQL 8.4
# (compose.yaml) and MariaDB 10.11 (compose.local.yaml's images), each in its own words.
set -o errexit -o nounset -o pipefail

repl_pw=$(cat /run/secrets/db-replication-password)
if mysql --version | grep -q MariaDB; then
  # MariaDB has no SET PERSIST: compose.local.yaml starts db-2 with --read-only=ON.
  sql="CHANGE MASTER TO MASTER_HOST='db-1', MASTER_PORT=3306, MASTER_USER='webstack_repl',
    MASTER_PASSWORD='${repl_pw}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;"
else
  sql="CHANGE REPLICATION SOURCE TO SOURCE_HOST='db-1', SOURCE_PORT=3306, SOURCE_USER='webstack_repl',
    SOURCE_PASSWORD='${repl_pw}', SOURCE_AUTO_POSITION=1, SOURCE_CONNECT_RETRY=1, GET_SOURCE_PUBLIC_KEY=1;
  SET PERSIST super_read_only = ON;"
fi

# root's password reaches mysql as an option file on a pipe (printf is bash's own), never
# on a command line.
mysql --defaults-extra-file=<(printf '[client]\npassword=%s\n' "$(cat /run/secrets/db-root-password)") \
  --protocol=socket -uroot <<<"$sql"
