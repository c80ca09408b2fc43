# shellcheck shell=bash
# ./stack chaos: the faults the design names, injected into a live stack while a bounded
# load runs through HAProxy, with the figures that show what users saw.

CHAOS_FAULTS=(kill-app restart-app deploy reload-web stop-replica kill-replica lag-replica kill-primary kill-web)
# The ha mode's: every single fault it is built to survive (`all` there runs these).
CHAOS_HA_FAULTS=(kill-lb kill-web kill-app kill-writer kill-reader partition-writer deploy)
# Faults only separate hosts allow (./stack up --hosts), each with its hosts (a side may
# be a comma-separated list) and how long it lasts; `all` runs these too in the hosts mode.
CHAOS_NETWORK_FAULTS=(partition delay isolate)
CHAOS_NETWORK_ALL=("partition app-1 db-2" "partition web-1 app-2" "partition db-2 db-1" "delay app-1,app-2 db-2 200"
  "isolate app-2")
CHAOS_SECONDS=${WEBSTACK_CHAOS_SECONDS:-20}
# How long the load goes on once a fault is over (repaired or healed).
CHAOS_AFTER_SECONDS=${WEBSTACK_CHAOS_AFTER_SECONDS:-10}
# How long a network fault lasts unless told.
CHAOS_FAULT_SECONDS=10

# Runs the load in the background until the stop file exists (at most 10 minutes); its
# figures go to the given file.
chaos_load_start() {
  WEBSTACK_LOAD_STOP_FILE=$2 java "$ROOT/scripts/Load.java" "$(lb_site)" "$TLS_DIR/lb-1.crt" 600 4 2 \
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

# Checks a fault's arguments before any load starts: bad ones change nothing.
chaos_check() {
  local fault=$1 setting
  shift
  for setting in WEBSTACK_CHAOS_SECONDS WEBSTACK_CHAOS_AFTER_SECONDS WEBSTACK_LOAD_PAUSE_MILLIS; do
    [[ "${!setting:-0}" =~ ^[0-9]{1,4}$ ]] || die "$setting must be a whole number (0 to 9999), not '${!setting}'"
  done
  if [[ " ${CHAOS_NETWORK_FAULTS[*]} " == *" $fault "* ]]; then
    [ "$STACK_MODE" = hosts ] || die "$fault needs separate hosts: ./stack up --hosts"
  fi
  if [[ " ${CHAOS_HA_FAULTS[*]} " == *" $fault "* ]] && [[ " ${CHAOS_FAULTS[*]} " != *" $fault "* ]]; then
    [ -n "$STACK_HA" ] || die "$fault needs the ha mode: ./stack up --hosts --ha"
    [ $# -eq 0 ] || die "$fault takes no arguments"
    return 0
  fi
  if [ -n "$STACK_HA" ] && [[ " ${CHAOS_HA_FAULTS[*]} ${CHAOS_NETWORK_FAULTS[*]} " != *" $fault "* ]]; then
    die "$fault is a fault of the primary and its replica; the ha mode's are ${CHAOS_HA_FAULTS[*]} ${CHAOS_NETWORK_FAULTS[*]}"
  fi
  case "$fault" in
    partition)
      [[ $# -ge 2 && $# -le 3 ]] || die "usage: ./stack chaos partition <host[,host...]> <host[,host...]> [seconds]"
      hosts_check_sides "$1" "$2"
      chaos_check_number seconds "${3:-$CHAOS_FAULT_SECONDS}" 1 600 ;;
    delay)
      [[ $# -ge 3 && $# -le 4 ]] || die "usage: ./stack chaos delay <host[,host...]> <host[,host...]> <ms> [seconds]"
      hosts_check_sides "$1" "$2"
      chaos_check_number ms "$3" 1 10000
      chaos_check_number seconds "${4:-$CHAOS_FAULT_SECONDS}" 1 600 ;;
    isolate)
      [[ $# -ge 1 && $# -le 2 ]] || die "usage: ./stack chaos isolate <host[,host...]> [seconds]"
      hosts_check_names "$1"
      chaos_check_number seconds "${2:-$CHAOS_FAULT_SECONDS}" 1 600 ;;
    *)
      [[ " ${CHAOS_FAULTS[*]} " == *" $fault "* ]] \
        || die "unknown fault '$fault' (${CHAOS_FAULTS[*]} ${CHAOS_NETWORK_FAULTS[*]}; with --ha ${CHAOS_HA_FAULTS[*]})"
      [ $# -eq 0 ] || die "$fault takes no arguments" ;;
  esac
}

chaos_check_number() {
  local what=$1 value=$2 min=$3 max=$4
  if [[ ! "$value" =~ ^[0-9]{1,6}$ ]] || [ "$value" -lt "$min" ] || [ "$value" -gt "$max" ]; then
    die "$what must be a whole number from $min to $max, not '$value'"
  fi
}

chaos_inject() {
  local fault=$1 pid
  shift
  case "$fault" in
    partition)
      info "every packet between ${1//,/ and } and ${2//,/ and } dropped, both ways, for ${3:-$CHAOS_FAULT_SECONDS}s"
      hosts_partition "$1" "$2"
      sleep "${3:-$CHAOS_FAULT_SECONDS}"
      hosts_heal
      info "healed" ;;
    delay)
      info "every round trip from ${1//,/ and } to ${2//,/ and } $3 ms longer for ${4:-$CHAOS_FAULT_SECONDS}s"
      hosts_delay "$1" "$2" "$3"
      sleep "${4:-$CHAOS_FAULT_SECONDS}"
      hosts_heal
      info "healed" ;;
    isolate)
      info "${1//,/ and } cut from every network for ${2:-$CHAOS_FAULT_SECONDS}s"
      hosts_isolate "$1"
      sleep "${2:-$CHAOS_FAULT_SECONDS}"
      hosts_heal
      info "healed" ;;
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
    deploy)
      info "a rolling deploy of the current build onto both app servers (./stack deploy --all)"
      cmd_deploy --all ;;
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
      if [ -n "$STACK_HA" ]; then
        info "SIGKILL to web-1 (pid $pid): HAProxy's checks take its paths out; web-2 serves"
      else
        info "SIGKILL to web-1 (pid $pid), the single web server: the site is down until it is back"
      fi
      kill -KILL -- "-$pid"
      sleep 4
      info "./stack up brings it back"
      web_up
      lb_wait_servers_up ;;
    kill-lb)
      chaos_kill_load_balancer ;;
    kill-writer)
      chaos_kill_database "$(db_cluster_writer)" \
        "the other two keep the quorum; the app servers choose a new writer (writes get 503 meanwhile)" ;;
    kill-reader)
      chaos_kill_database "$(chaos_reader)" "reads go to the other nodes" ;;
    partition-writer)
      local writer others='' node
      writer=$(db_cluster_writer)
      [ -n "$writer" ] || die "the cluster has no writer now"
      for node in "${DBS[@]}"; do [ "$node" = "$writer" ] || others+=",$node"; done
      chaos_inject partition "$writer" "${others#,}" "$CHAOS_FAULT_SECONDS"
      info "$writer rejoins the cluster by itself"
      wait_for "$writer to rejoin the cluster (synced)" 120 "" db_synced "$writer" ;;
  esac
}

# The last node that serves reads now (not the writer).
chaos_reader() {
  local node writer reader=''
  writer=$(db_cluster_writer)
  for node in "${DBS[@]}"; do
    [ "$node" = "$writer" ] || ! db_synced "$node" || reader=$node
  done
  [ -n "$reader" ] || die "no node serves reads now"
  echo "$reader"
}

# The load balancer holding the site's address dies as a host does: its links down (no
# packet in or out, no ARP answer for the address it held), its HAProxy and keepalived
# killed outright, eight seconds; then it returns (./stack up's repair: links up,
# HAProxy, keepalived), and stands by: the address stays with the other.
chaos_kill_load_balancer() {
  local holder keepalived
  holder=$(keepalived_holder)
  [ -n "$holder" ] || die "no load balancer holds the site's address now"
  keepalived=keepalived-${holder#lb-}
  info "$holder, holding the site's address, dies: its links down, then SIGKILL to its HAProxy and keepalived"
  # In this order: a host that dies sends nothing more, not even the resets and refusals
  # its processes' deaths would.
  hosts_links "$holder" down
  kill -KILL -- "-$(running_pid "$keepalived")" 2>/dev/null || true
  kill -KILL -- "-$(running_pid "$holder")" 2>/dev/null || true
  wait_for "the other load balancer to take the site's address" 30 "" chaos_address_moved "$holder"
  info "$(keepalived_holder) holds the site's address"
  sleep 8
  info "$holder returns: ./stack up brings its links, HAProxy and keepalived back"
  hosts_repair_links
  lb_up
}

chaos_address_moved() { local now; now=$(keepalived_holder); [ -n "$now" ] && [ "$now" != "$1" ]; }

chaos_cleanup() {
  [ -z "${CHAOS_LOAD_PID:-}" ] || kill "$CHAOS_LOAD_PID" 2>/dev/null || true
  [ "$STACK_MODE" != hosts ] || hosts_heal
}

chaos_run() {
  local out
  chaos_check "$@"
  running_pid lb-1 >/dev/null || die "the stack is not running; ./stack up first"
  out=$(mktemp)
  # The load runs 3 s before the fault, as long as it takes, and CHAOS_AFTER_SECONDS after
  # it (so that what follows a repair or a heal shows), CHAOS_SECONDS in all at least.
  local started=$SECONDS stop
  stop=$(mktemp -u)
  step "chaos: $*, under load (4 readers, 2 writers; ${CHAOS_SECONDS}s at least) through $(lb_site)"
  # Whatever happens (an interrupt, a failure), the load stops and a network fault heals.
  trap chaos_cleanup EXIT
  chaos_load_start "$out" "$stop"
  sleep 3
  chaos_inject "$@"
  sleep "$CHAOS_AFTER_SECONDS"
  [ $((SECONDS - started)) -ge "$CHAOS_SECONDS" ] || sleep $((CHAOS_SECONDS - (SECONDS - started)))
  touch "$stop"
  wait "$CHAOS_LOAD_PID" || true
  rm -f "$stop"
  CHAOS_LOAD_PID=
  grep -v '^{' "$out" | sed 's/^/    /'
  rm -f "$out"
}

cmd_chaos() {
  local fault
  if [ "${1:-all}" = all ] && [ -n "$STACK_HA" ]; then
    [ $# -le 1 ] || die "all takes no arguments"
    for fault in "${CHAOS_HA_FAULTS[@]}"; do chaos_run "$fault"; done
  elif [ "${1:-all}" = all ]; then
    [ $# -le 1 ] || die "all takes no arguments"
    for fault in "${CHAOS_FAULTS[@]}"; do chaos_run "$fault"; done
    if [ "$STACK_MODE" = hosts ]; then
      # shellcheck disable=SC2086 # each entry is a fault and its arguments
      for fault in "${CHAOS_NETWORK_ALL[@]}"; do chaos_run $fault; done
    fi
  else
    chaos_run "$@"
  fi
}
