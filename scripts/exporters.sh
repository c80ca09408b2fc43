# shellcheck shell=bash
# The exporters Prometheus scrapes beside the app servers and HAProxy: node_exporter for
# a host's CPU, memory, disk and network (one per host: natively one, named node; in the
# hosts mode node-<host> on each), and one mysqld_exporter per database server (on its
# host), logging in with an account that may read status and nothing else
# (webstack_exporter, made by db_provision_primary).

NODE_EXPORTER_PORT=$(port 9100)
if [ "$STACK_MODE" = hosts ]; then
  NODE_EXPORTERS=("${HOSTS[@]/#/node-}")
else
  NODE_EXPORTERS=(node)
fi
MYSQLD_EXPORTERS=(mysqld-1 mysqld-2)
[ -z "$STACK_HA" ] || MYSQLD_EXPORTERS=(mysqld-1 mysqld-2 mysqld-3)
EXPORTERS=("${NODE_EXPORTERS[@]}" "${MYSQLD_EXPORTERS[@]}")
# shellcheck disable=SC2034 # used by ./stack (PACKAGES)
EXPORTER_PACKAGES=(prometheus-node-exporter prometheus-mysqld-exporter)

exporter_port() {
  case "$1" in
    node|node-*) echo "$NODE_EXPORTER_PORT" ;;
    mysqld-*) port $((9200 + ${1#mysqld-})) ;;
  esac
}

# Where an exporter listens: loopback, or its host's every address (9100 on each host,
# reached by mon-1 over whichever network they share); a mysqld exporter on its database's
# back address.
exporter_address() {
  if [ "$STACK_MODE" = hosts ] && [[ "$1" == node-* ]]; then echo 0.0.0.0; else component_address "$1"; fi
}

# Where Prometheus reaches an exporter (mon-1 is on every network: a node exporter at its
# host's first address).
exporter_target() {
  if [ "$STACK_MODE" = hosts ] && [[ "$1" == node-* ]]; then
    host_address "$(component_host "$1")"
  else
    component_address "$1"
  fi
}

# The database server a mysqld exporter watches.
exporter_db() { echo "db-${1#mysqld-}"; }

# Each mysqld exporter's login, a client option file beside the secrets (mode 0600, its
# account's): the password never reaches a command line or an environment.
exporters_render() {
  local name file
  for name in "${MYSQLD_EXPORTERS[@]}"; do
    file=$SECRETS_DIR/$name.cnf
    (umask 077 && printf '[client]\nuser=%s\npassword=%s\nhost=%s\nport=%s\n' "$DB_EXPORTER_USER" \
      "$(secret db-exporter-password)" "$(component_address "$(exporter_db "$name")")" \
      "$(db_port "$(exporter_db "$name")")" >"$file.new")
    secret_owner "$file.new" "$(component_account "$name")"
    mv -f "$file.new" "$file"
  done
}

exporter_ready() { http_ok_from "$1" "http://$(exporter_target "$1"):$(exporter_port "$1")/"; }

exporter_up() {
  local name=$1 pid address
  if pid=$(running_pid "$name"); then
    info "$name exporter already running (pid $pid)"
    return 0
  fi
  address=$(exporter_address "$name"):$(exporter_port "$name")
  ensure_port_free "$name" "$(exporter_port "$name")"
  step "starting the $name exporter on $address"
  if [[ "$name" == node* ]]; then
    # Debian's build also collects systemd's units, over D-Bus; ./stack's hosts have neither.
    spawn "$name" prometheus-node-exporter --web.listen-address="$address" --no-collector.systemd
  else
    spawn "$name" prometheus-mysqld-exporter --config.my-cnf="$SECRETS_DIR/$name.cnf" \
      --web.listen-address="$address"
  fi
  pid=$(cat "$(pid_file "$name")")
  wait_for "$name exporter" 30 "$pid" exporter_ready "$name"
  info "$name exporter ready (pid $pid)"
}

exporters_up() {
  local name
  exporters_render
  for name in "${EXPORTERS[@]}"; do exporter_up "$name"; done
}

exporters_down() {
  local name
  for name in "${EXPORTERS[@]}"; do stop_component "$name" 10; done
}

exporters_status_rows() {
  local name
  for name in "${EXPORTERS[@]}"; do
    component_status_row "$name" exporter "$(exporter_target "$name"):$(exporter_port "$name")" exporter_ready "not answering"
  done
}
