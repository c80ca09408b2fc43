#!/bin/bash
# db-1's and db-2's entrypoint in the local MariaDB image, as the official mysql image's:
# on the first start (an empty data directory) it makes the system tables, gives root (over
# the local socket only) the password in $MYSQL_ROOT_PASSWORD_FILE, and runs
# /docker-entrypoint-initdb.d/*.sh against a server that listens on no port; then it runs
# the real server with the options given as the command ("$@").
set -o errexit -o nounset -o pipefail

datadir=/var/lib/mysql
socket=/run/mysqld/mysqld.sock

# A statement as root over the socket; root's password reaches the client as an option file
# on a pipe (printf is bash's own), never on a command line.
root_sql() {
  mariadb --defaults-extra-file=<(printf '[client]\npassword=%s\n' "${root_pw:-}") \
    --protocol=socket --socket="$socket" -uroot "$@"
}

initialise() {
  [ -n "${MYSQL_ROOT_PASSWORD_FILE:-}" ] || { echo "db-entrypoint: MYSQL_ROOT_PASSWORD_FILE is not set" >&2; exit 1; }
  echo "db-entrypoint: first start, initialising $datadir"
  mariadb-install-db --no-defaults --datadir="$datadir" --auth-root-authentication-method=normal \
    --skip-test-db >/dev/null
  mariadbd --no-defaults --datadir="$datadir" --skip-networking --socket="$socket" "$@" &
  local pid=$! tries=0
  until mariadb-admin --no-defaults --socket="$socket" -uroot ping >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "db-entrypoint: the initialisation server died" >&2; exit 1; }
    tries=$((tries + 1))
    [ "$tries" -lt 600 ] || { echo "db-entrypoint: the initialisation server did not answer in 60 s" >&2; exit 1; }
    sleep 0.1
  done
  # root only at localhost, with its password, and no anonymous account. Not written to the
  # binary log: a replica has its own root and must not replay these.
  local escaped
  escaped=$(sed "s/'/''/g" "$MYSQL_ROOT_PASSWORD_FILE")
  root_sql <<SQL
SET sql_log_bin = 0;
DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host <> 'localhost');
FLUSH PRIVILEGES;
ALTER USER 'root'@'localhost' IDENTIFIED BY '${escaped}';
SQL
  root_pw=$(cat "$MYSQL_ROOT_PASSWORD_FILE")
  local script
  for script in /docker-entrypoint-initdb.d/*.sh; do
    [ -f "$script" ] || continue
    echo "db-entrypoint: running $script"
    bash "$script"
  done
  root_sql -e "SHUTDOWN"
  wait "$pid"
  echo "db-entrypoint: initialised"
}

# A Galera node (docker/compose.ha.yaml: the options include --wsrep-on=ON). The node with
# GALERA_BOOTSTRAP=yes (db-1) makes the data on its first start, without the cluster, and
# starts a new one from it; the others join by a state transfer (rsync, as mysql) that
# brings them the data, accounts included. Later starts join the running cluster, except
# on the node Galera marked safe to bootstrap (the last to stop cleanly: after a whole
# stop, the cluster starts again from it).
galera=''
[[ " $* " != *" --wsrep-on=ON "* ]] || galera=yes
cluster=()
if [ ! -d "$datadir/mysql" ]; then
  if [ -n "$galera" ] && [ "${GALERA_BOOTSTRAP:-}" != yes ]; then
    echo "db-entrypoint: first start of a joining node: its data comes from the cluster"
    mariadb-install-db --no-defaults --datadir="$datadir" --skip-test-db >/dev/null
  else
    initialise "$@" ${galera:+--wsrep-on=OFF}
    [ -z "$galera" ] || cluster=(--wsrep-new-cluster)
  fi
elif [ -n "$galera" ] && grep -qx 'safe_to_bootstrap: 1' "$datadir/grastate.dat" 2>/dev/null; then
  echo "db-entrypoint: the last node to stop cleanly: starting the cluster again from it"
  cluster=(--wsrep-new-cluster)
fi
exec mariadbd --no-defaults --datadir="$datadir" --socket="$socket" "$@" "${cluster[@]}"
