# shellcheck shell=bash
# The MariaDB primary (db-1) and replica (db-2): data directories under .stack/,
# GTID replication, a read-only replica and least-privilege accounts. In the ha mode
# instead: db-1, db-2 and db-3, a Galera cluster (Debian's galera-4) that keeps a primary
# component by quorum; the app servers write on one node and read on the others.

DBS=(db-1 db-2)
[ -z "$STACK_HA" ] || DBS=(db-1 db-2 db-3)
GALERA_PROVIDER=/usr/lib/galera/libgalera_smm.so
# A node silent for 2 s is suspected, and a new primary component installed without it
# (Galera's defaults: 5 s, up to 15 s): until then every commit and causal read in the
# cluster waits, so the default would hold a write past Nginx's 5 s proxy timeout.
# Keepalives every half second, so that a live node is never silent that long.
GALERA_TIMEOUTS="evs.keepalive_period=PT0.5S;evs.suspect_timeout=PT2S;evs.inactive_timeout=PT4S;evs.install_timeout=PT4S"

DB_PRIMARY_PORT=$(port 3307 3306)
DB_REPLICA_PORT=$(port 3308 3306)
DB_NAME=webstack
# The host part of the accounts: the app servers, the replica and the exporters connect
# over loopback, or in the hosts mode from the back network.
if [ "$STACK_MODE" = hosts ]; then
  DB_CLIENT_HOST=${WEBSTACK_DB_CLIENT_HOST:-$(network_prefix back).%}
else
  DB_CLIENT_HOST=${WEBSTACK_DB_CLIENT_HOST:-127.0.0.1}
fi
DB_APP_USER=webstack_app
DB_MIGRATIONS_USER=webstack_migrations
DB_REPLICATION_USER=webstack_repl
DB_MONITOR_USER=webstack_monitor
DB_EXPORTER_USER=webstack_exporter

db_port() { if [ "$1" = db-1 ]; then echo "$DB_PRIMARY_PORT"; else echo "$DB_REPLICA_PORT"; fi; }
db_dir() { echo "$STATE_DIR/$1"; }
# The server (its account) owns data/ and makes its socket and PID file there; the
# directory around it stays ./stack's, with a link to the socket where clients look for it.
db_socket() { echo "$(db_dir "$1")/mysqld.sock"; }

# Runs SQL as root over the server's Unix socket (root has no network login).
db_sql() {
  local name=$1
  shift
  mariadb --no-defaults --protocol=socket --socket="$(db_socket "$name")" -u root \
    --batch --skip-column-names "$@"
}

db_ping() { mariadb-admin --no-defaults --socket="$(db_socket "$1")" -u root ping; }

db_init_datadir() {
  local name=$1 dir
  dir=$(db_dir "$name")
  [ -d "$dir/data/mysql" ] && return 0
  step "initialising $name data directory"
  mkdir -p "$dir/data"
  mariadb-install-db --no-defaults --datadir="$dir/data" --user="$(component_account "$name")" \
    --auth-root-authentication-method=socket --skip-test-db >"$LOG_DIR/$name-install.log" 2>&1 \
    || die "mariadb-install-db failed for $name; see $LOG_DIR/$name-install.log"
}

# A database's role: primary or replica, or a cluster's node.
db_role() {
  if [ -n "$STACK_HA" ]; then echo node; elif [ "$1" = db-1 ]; then echo primary; else echo replica; fi
}

# A Galera node's options: the cluster is every node's back address; failures detected
# within seconds (GALERA_TIMEOUTS); state transfers by rsync (run as the server's account: as root, rsync's daemon drops to nobody and cannot
# write the data directory). Galera wants row events and interleaved auto-increment locks.
db_galera_options() {
  local name=$1 node members=''
  for node in "${DBS[@]}"; do members+=",$(component_address "$node")"; done
  GALERA_OPTIONS=(--wsrep-on=ON --wsrep-provider="$GALERA_PROVIDER" --wsrep-cluster-name=webstack
    --wsrep-cluster-address="gcomm://${members#,}" --wsrep-node-name="$name"
    --wsrep-node-address="$(component_address "$name")"
    --wsrep-node-incoming-address="$(component_address "$name"):$(db_port "$name")"
    --wsrep-sst-method=rsync --binlog-format=ROW --innodb-autoinc-lock-mode=2 --default-storage-engine=InnoDB
    --wsrep-provider-options="$GALERA_TIMEOUTS")
}

# Starts a database server; "bootstrap" second starts a cluster's first node (a new
# primary component, --wsrep-new-cluster), the others join it.
db_start() {
  local name=$1 bootstrap=${2:-} server_id role_opts=() pid
  already_running "$name" && return 0
  db_init_datadir "$name"
  server_id=${name#db-}
  if [ -n "$STACK_HA" ]; then
    db_galera_options "$name"
    role_opts=("${GALERA_OPTIONS[@]}")
    [ -z "$bootstrap" ] || role_opts+=(--wsrep-new-cluster)
  else
    # GTID replication from a binlog that every commit syncs.
    role_opts=(--log-bin=binlog --log-slave-updates=ON --gtid-strict-mode=ON --sync-binlog=1)
    # The replica refuses writes from clients; only its replication thread writes.
    [ "$name" = db-1 ] || role_opts+=(--read-only=ON --relay-log=relay-bin)
  fi
  local dir
  dir=$(db_dir "$name")
  ensure_port_free "$name" "$(db_port "$name")"
  step "starting $name on $(component_address "$name"):$(db_port "$name")${bootstrap:+ (a new cluster: the others join it)}"
  # A data directory that root's mariadbd once owned (before ./stack dropped privileges) is handed over.
  component_owns "$name" "$dir/data"
  ln -sfn data/mysqld.sock "$(db_socket "$name")"
  # Durable settings: every acknowledged commit is on disk in the redo log (and the binlog;
  # a cluster's commit is also on the other nodes before it is acknowledged).
  # Without --log-error the server logs to its standard error, which is its log.
  spawn "$name" mariadbd --no-defaults \
    --datadir="$dir/data" \
    --user="$(component_account "$name")" \
    --port="$(db_port "$name")" \
    --bind-address="$(component_address "$name")" \
    --socket="$dir/data/mysqld.sock" \
    --pid-file="$dir/data/mariadbd.pid" \
    --server-id="$server_id" \
    --binlog-format=ROW \
    --innodb-flush-log-at-trx-commit=1 \
    --skip-name-resolve \
    --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_unicode_ci \
    --innodb-buffer-pool-size=64M \
    --max-connections=200 \
    "${role_opts[@]}"
  pid=$(cat "$(pid_file "$name")")
  # A joining node answers once its state transfer is done.
  wait_for "$name" 120 "$pid" db_ping "$name"
  info "$name ready (pid $pid)"
}

# Creates the schema and the accounts on the primary (or a cluster's node), once; they
# replicate to the others.
db_provision_primary() {
  local on=${1:-db-1} marker app_pw mig_pw repl_pw mon_pw exp_pw
  # The marker names the version of the accounts below; a newer version provisions again.
  # and the clients' host: the accounts for another (the other mode's) are made once more.
  marker=$(db_dir db-1)/provisioned.4.$DB_CLIENT_HOST${STACK_HA:+.cluster}
  [ -f "$marker" ] && return 0
  step "creating schema '$DB_NAME' and accounts for '$DB_CLIENT_HOST' on $on"
  app_pw=$(secret db-app-password)
  mig_pw=$(secret db-migrations-password)
  repl_pw=$(secret db-replication-password)
  mon_pw=$(secret db-monitor-password)
  exp_pw=$(secret db-exporter-password)
  db_sql "$on" <<SQL
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_APP_USER'@'$DB_CLIENT_HOST' IDENTIFIED BY '$app_pw';
CREATE USER IF NOT EXISTS '$DB_MIGRATIONS_USER'@'$DB_CLIENT_HOST' IDENTIFIED BY '$mig_pw';
CREATE USER IF NOT EXISTS '$DB_REPLICATION_USER'@'$DB_CLIENT_HOST' IDENTIFIED BY '$repl_pw';
-- The application reads and writes rows, nothing more.
GRANT SELECT, INSERT, UPDATE, DELETE ON \`$DB_NAME\`.* TO '$DB_APP_USER'@'$DB_CLIENT_HOST';
-- Migrations change the schema of this database only (and keep Flyway's history table).
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, REFERENCES, CREATE VIEW, SHOW VIEW
  ON \`$DB_NAME\`.* TO '$DB_MIGRATIONS_USER'@'$DB_CLIENT_HOST';
-- The replication account only streams the binlog.
GRANT REPLICATION SLAVE ON *.* TO '$DB_REPLICATION_USER'@'$DB_CLIENT_HOST';
-- The monitoring account (the dashboard's probes) may read replication status, no data.
CREATE USER IF NOT EXISTS '$DB_MONITOR_USER'@'$DB_CLIENT_HOST' IDENTIFIED BY '$mon_pw';
GRANT REPLICA MONITOR ON *.* TO '$DB_MONITOR_USER'@'$DB_CLIENT_HOST';
-- Prometheus's mysqld_exporter reads status, variables, InnoDB's state (PROCESS) and
-- replication status, no data, with at most three connections.
CREATE USER IF NOT EXISTS '$DB_EXPORTER_USER'@'$DB_CLIENT_HOST' IDENTIFIED BY '$exp_pw' WITH MAX_USER_CONNECTIONS 3;
GRANT PROCESS, REPLICA MONITOR ON *.* TO '$DB_EXPORTER_USER'@'$DB_CLIENT_HOST';
-- Nobody but root (over the local socket only) holds SUPER, FILE, SHUTDOWN or GRANT:
-- mariadb-install-db also makes an all-powerful 'mysql'@'localhost' and maybe anonymous users.
DROP USER IF EXISTS 'mysql'@'localhost';
DROP USER IF EXISTS ''@'localhost';
SQL
  touch "$marker"
}

# Points the replica at the primary by GTID, once (and again when the primary's address
# changed: the other mode); afterwards it resumes by itself on start.
db_configure_replica() {
  local primary
  primary=$(component_address db-1)
  if ! db_replica_status | grep -qx "  *Master_Host: $primary" \
    || ! db_replica_status | grep -qx "  *Master_Port: $DB_PRIMARY_PORT"; then
    step "configuring db-2 to replicate from db-1 at $primary:$DB_PRIMARY_PORT (GTID)"
    # (a replica never configured has nothing to stop, and says so)
    db_sql db-2 -e "STOP SLAVE" 2>/dev/null || true
    db_sql db-2 <<SQL
CHANGE MASTER TO
  MASTER_HOST='$primary',
  MASTER_PORT=$DB_PRIMARY_PORT,
  MASTER_USER='$DB_REPLICATION_USER',
  MASTER_PASSWORD='$(secret db-replication-password)',
  MASTER_USE_GTID=slave_pos,
  MASTER_CONNECT_RETRY=1;
SQL
  fi
  db_sql db-2 -e "START SLAVE"
}

db_replica_status() {
  db_sql db-2 --column-names --vertical -e "SHOW SLAVE STATUS" 2>/dev/null
}

db_replication_running() {
  local status
  status=$(db_replica_status) || return 1
  grep -q 'Slave_IO_Running: Yes' <<<"$status" && grep -q 'Slave_SQL_Running: Yes' <<<"$status"
}

# Waits until the replica has applied everything the primary has written so far.
db_wait_caught_up() {
  local gtid
  gtid=$(db_sql db-1 -e "SELECT @@gtid_binlog_pos")
  wait_for "db-2 replication threads" 30 "" db_replication_running
  [ -z "$gtid" ] && return 0
  local result
  result=$(db_sql db-2 -e "SELECT MASTER_GTID_WAIT('$gtid', 30)")
  [ "$result" = 0 ] || die "db-2 did not catch up with db-1 (gtid $gtid); see ./stack logs db-2"
  info "db-2 replicating, caught up at gtid $gtid"
}

db_up() {
  ensure_dirs
  ensure_secret db-app-password
  ensure_secret db-migrations-password
  ensure_secret db-replication-password
  ensure_secret db-monitor-password
  ensure_secret db-exporter-password
  if [ -n "$STACK_HA" ]; then
    db_cluster_up
    return 0
  fi
  db_start db-1
  db_provision_primary
  db_start db-2
  db_configure_replica
  db_wait_caught_up
}

# A wsrep status variable of a node (wsrep_cluster_status, wsrep_local_state_comment, ...).
db_wsrep() { db_sql "$1" -e "SHOW GLOBAL STATUS LIKE '$2'" 2>/dev/null | cut -f2; }

db_synced() { [ "$(db_wsrep "$1" wsrep_local_state_comment)" = Synced ]; }

# The cluster: when no node runs, the one with the latest state starts a new primary
# component (as it would after ./stack down, which stops db-1 last, or after every node
# died); then every node that does not run joins (by an incremental or a whole state
# transfer), and ./stack waits until each is synced.
db_cluster_up() {
  local name running=''
  ensure_packages galera-4 rsync
  for name in "${DBS[@]}"; do
    running_pid "$name" >/dev/null && running=$name
  done
  if [ -z "$running" ]; then
    running=$(db_cluster_bootstrap_node)
    db_start "$running" bootstrap
  fi
  wait_for "$running to be synced" 60 "" db_synced "$running"
  db_provision_primary "$running"
  for name in "${DBS[@]}"; do
    db_start "$name"
  done
  for name in "${DBS[@]}"; do
    wait_for "$name to join the cluster (synced)" 120 "$(running_pid "$name")" db_synced "$name"
  done
  info "${DBS[*]} synced, cluster of $(db_wsrep "$running" wsrep_cluster_size); writer $(db_cluster_writer)"
}

# The node to start a cluster from: the one Galera marked safe to bootstrap (the last to
# stop gracefully), or else the one whose recovered position is the latest (every node
# died at once); a fresh cluster starts from db-1.
db_cluster_bootstrap_node() {
  local name grastate best='' best_seqno=-2 seqno
  for name in "${DBS[@]}"; do
    grastate=$(db_dir "$name")/data/grastate.dat
    if [ -f "$grastate" ] && grep -qx 'safe_to_bootstrap: 1' "$grastate"; then
      echo "$name"
      return 0
    fi
  done
  for name in "${DBS[@]}"; do
    grastate=$(db_dir "$name")/data/grastate.dat
    [ -f "$grastate" ] || continue
    seqno=$(db_recovered_seqno "$name")
    if [ "$seqno" -gt "$best_seqno" ]; then
      best=$name best_seqno=$seqno
    fi
  done
  if [ -z "$best" ]; then
    echo db-1
    return 0
  fi
  sed -i 's/^safe_to_bootstrap: 0$/safe_to_bootstrap: 1/' "$(db_dir "$best")/data/grastate.dat"
  echo "$best"
}

# The last transaction a node's data holds: from grastate.dat when it stopped cleanly,
# else recovered from InnoDB (mariadbd --wsrep-recover, which starts and stops at once).
db_recovered_seqno() {
  local name=$1 dir seqno log
  dir=$(db_dir "$name")
  seqno=$(sed -n 's/^seqno: *//p' "$dir/data/grastate.dat")
  if [ "${seqno:--1}" = -1 ]; then
    log=$LOG_DIR/$name-recover.log
    : >"$log"
    component_owns "$name" "$log"
    db_galera_options "$name"
    in_host "$name" mariadbd --no-defaults --datadir="$dir/data" --user="$(component_account "$name")" \
      --skip-networking --log-error="$log" "${GALERA_OPTIONS[@]}" --wsrep-recover >/dev/null 2>&1 || true
    seqno=$(sed -n 's/.*WSREP: Recovered position: [^:]*:\(-\{0,1\}[0-9]*\).*/\1/p' "$log" | tail -n 1)
  fi
  echo "${seqno:--1}"
}

# The writer, chosen as every app server chooses it (dev.webstack.routing.ClusterRouting):
# the first node, in the order db-1, db-2, db-3, that is a member of the cluster's primary
# component (its incoming addresses, as a node of that component reports them) and synced.
db_cluster_writer() {
  local name members=''
  for name in "${DBS[@]}"; do
    running_pid "$name" >/dev/null || continue
    if [ "$(db_wsrep "$name" wsrep_cluster_status)" = Primary ]; then
      members=,$(db_wsrep "$name" wsrep_incoming_addresses),
      break
    fi
  done
  for name in "${DBS[@]}"; do
    if [[ "$members" == *",$(component_address "$name"):$(db_port "$name"),"* ]] && db_synced "$name"; then
      echo "$name"
      return 0
    fi
  done
}

db_down() {
  local i
  # In reverse: db-1 stops last, and a cluster starts again from it.
  for ((i = ${#DBS[@]} - 1; i >= 0; i--)); do
    stop_component "${DBS[$i]}" 60
  done
}

db_status_rows() {
  local name pid state role writer='' size component local_state
  [ -z "$STACK_HA" ] || writer=$(db_cluster_writer)
  for name in "${DBS[@]}"; do
    role=$(db_role "$name")
    if pid=$(running_pid "$name"); then
      state=UP
      if [ -n "$STACK_HA" ]; then
        # One query: its component's size, whether it is the primary one, the node's state.
        read -r size component local_state < <(db_sql "$name" -e "SHOW GLOBAL STATUS WHERE Variable_name IN
          ('wsrep_cluster_size', 'wsrep_cluster_status', 'wsrep_local_state_comment')" 2>/dev/null \
          | sort | cut -f2 | paste -sd ' ') || true
        state="UP (${local_state:-unknown}, ${component:-unknown} component of ${size:-?}$( [ "$name" != "$writer" ] || echo ", the writer"))"
      elif [ "$name" = db-2 ] && ! db_replication_running; then
        state="DEGRADED (replication stopped)"
      fi
    else
      pid=-
      state=DOWN
    fi
    status_row "$name" "$role" "$(component_address "$name"):$(db_port "$name")" "$pid" "$state"
  done
}
