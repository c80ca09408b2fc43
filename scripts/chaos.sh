# shellcheck shell=bash
# ./stack chaos: the faults the design names, injected into a live stack while a bounded
# load runs through HAProxy, with the figures that show what users saw.

CHAOS_FAULTS=(kill-app restart-app reload-web stop-replica kill-replica lag-replica kill-primary kill-web)
CHAOS_SECONDS=${WEBSTACK_CHAOS_SECONDS:-20}

# Runs the load in the background; its figures go to the given file.
chaos_load_start() {
  java "$ROOT/scripts/Load.java" "https://127.0.0.1:$LB_HTTPS_PORT" "$TLS_DIR/lb-1.crt" "$CHAOS_SECONDS" 4 2 \
    >"$1" 2>&1 &
  CHAOS_LOAD_PID=$!
}

# SIGKILL to a database server, six seconds without it, then ./stack's repair.
chaos_kill_database() {
  local name=$1 meanwhile=$2 pid
  pid=$(running_pid "$name") || die "$name is not running"
  info "SIGKILL to $name (pid $pid); $meanwhile"
  kill -KILL "$pid"
  sleep 6
  info "./stack up restarts it; replication resumes"
  db_up
}

chaos_inject() {
  local fault=$1 pid
  case "$fault" in
    kill-app)
      pid=$(running_pid app-1) || die "app-1 is not running"
      info "SIGKILL to app-1 (pid $pid)"
      kill -KILL "$pid"
      sleep 5
      info "./stack up brings it back"
      app_up app-1
      lb_wait_servers_up ;;
    restart-app)
      cmd_restart app-1 ;;
    reload-web)
      for _ in 1 2 3; do cmd_reload web-1; sleep 2; done ;;
    stop-replica)
      info "STOP SLAVE on db-2 for 8s"
      db_sql db-2 -e "STOP SLAVE"
      sleep 8
      db_sql db-2 -e "START SLAVE" ;;
    kill-replica)
      chaos_kill_database db-2 "reads go to the primary meanwhile" ;;
    lag-replica)
      info "db-2 applies events 10s late (MASTER_DELAY) for 12s"
      db_sql db-2 -e "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=10; START SLAVE"
      sleep 12
      db_sql db-2 -e "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=0; START SLAVE" ;;
    kill-primary)
      chaos_kill_database db-1 "writes get 503 read-only mode meanwhile" ;;
    kill-web)
      pid=$(running_pid web-1) || die "web-1 is not running"
      info "SIGKILL to web-1 (pid $pid), the single web server: the site is down until it is back"
      kill -KILL -- "-$pid"
      sleep 4
      info "./stack up brings it back"
      web_up
      lb_wait_servers_up ;;
    *) die "unknown fault '$fault' (${CHAOS_FAULTS[*]})" ;;
  esac
}

chaos_run() {
  local fault=$1 out
  running_pid lb-1 >/dev/null || die "the stack is not running; ./stack up first"
  out=$(mktemp)
  step "chaos: $fault, under ${CHAOS_SECONDS}s of load (4 readers, 2 writers) through https://127.0.0.1:$LB_HTTPS_PORT"
  chaos_load_start "$out"
  sleep 3
  chaos_inject "$fault"
  wait "$CHAOS_LOAD_PID" || true
  grep -v '^{' "$out" | sed 's/^/    /'
  rm -f "$out"
}

cmd_chaos() {
  local fault=${1:-all}
  if [ "$fault" = all ]; then
    for fault in "${CHAOS_FAULTS[@]}"; do chaos_run "$fault"; done
  else
    chaos_run "$fault"
  fi
}
