# shellcheck shell=bash
# ./stack bench: the stack's performance, measured side by side in one run with wrk.
#
# Every comparison is interleaved (A B A B ...) after a warm-up of each side, so that the
# machine's drift falls on both sides alike; each run's figures go to runs.tsv, and
# scripts/BenchReport.java turns them into the table (bench.md, bench.json) with the
# ratios and the targets. Scenarios (README, Performance):
#   a  the post list straight to app-1 against the same page through the whole chain (and
#      through Nginx alone, to tell the two hops' costs apart)
#   b  a static asset through the chain (and straight from Nginx) against the list
#   c  a 90/10 read/write mix through the chain
#   d  the read/write split against the same app with every query on the primary
#   e  the split against MySQL Connector/J's own replication driver
#   f  16, 64 and 256 connections on (a)
#   g  direct and chain with the dashboard's probes off (nobody watching), then on (an
#      admin watching), round after round on the same app servers
# plus the requests per second in the first minute after ./stack up, the resident memory
# of every component, the CPU an idle app server uses, and the time of a cold ./stack up.
#
# The stack measured is the one ./stack up leaves. Its dashboard's probes run only while
# someone watches it, which in the other scenarios nobody does; (g) watches it, round
# after round, to show what they cost.

BENCH_DIR=$STATE_DIR/bench
# (d) and (e) compare three app servers that differ only in their routing: the same jar,
# started for the bench beside app-1 and app-2, out of the load balancer and unprobed by
# the dashboards (which app-1 and app-2 are, every 2s), so that only the routing differs.
# Their profile "bench" keeps their own probes from loading the stack being measured.
BENCH_SPLIT_APP="app-3"
BENCH_PRIMARY_APP="app-4"
BENCH_CONNECTORJ_APP="app-5"
BENCH_APPS=("$BENCH_SPLIT_APP" "$BENCH_PRIMARY_APP" "$BENCH_CONNECTORJ_APP")
# Seconds per measured run, and rounds per comparison: five where the difference sought
# is a few percent (d, e), two for the mix and the scaling steps (all overridable, for a
# quick look).
BENCH_SECONDS=${WEBSTACK_BENCH_SECONDS:-10}
BENCH_ROUNDS=${WEBSTACK_BENCH_ROUNDS:-3}
BENCH_FINE_ROUNDS=${WEBSTACK_BENCH_FINE_ROUNDS:-5}
BENCH_SCALING_ROUNDS=${WEBSTACK_BENCH_SCALING_ROUNDS:-2}
BENCH_CONNECTIONS=16
# A cold ./stack up runs as a throwaway stack with its own state and ports.
BENCH_COLD_OFFSET=16000

cmd_bench() {
  # Its figures are the loopback mode's: what ./stack up gives on one machine.
  [ "$STACK_MODE" = loopback ] || die "./stack bench measures the loopback mode; ./stack down first"
  ensure_packages wrk
  mkdir -p "$BENCH_DIR"
  rm -f "$BENCH_DIR/runs.tsv" "$BENCH_DIR/facts.tsv"
  bench_cold_up
  cmd_up
  bench_seed_posts
  trap bench_cleanup EXIT
  bench_first_minute
  app_start "$BENCH_SPLIT_APP" bench
  app_start "$BENCH_PRIMARY_APP" primary-only,bench
  app_start "$BENCH_CONNECTORJ_APP" connectorj,bench
  local app
  for app in "${BENCH_APPS[@]}"; do app_wait "$app"; done

  local direct via_nginx chain static_chain static_web split primary connectorj asset
  direct="http://127.0.0.1:$(app_port app-1)/"
  via_nginx="http://127.0.0.1:$(web_listener_port app-1)/"
  chain="https://127.0.0.1:$LB_HTTPS_PORT/"
  split="http://127.0.0.1:$(app_port "$BENCH_SPLIT_APP")/"
  primary="http://127.0.0.1:$(app_port "$BENCH_PRIMARY_APP")/"
  connectorj="http://127.0.0.1:$(app_port "$BENCH_CONNECTORJ_APP")/"
  asset=$(curl -fsS "$direct" | grep -o '/css/site-[0-9a-f]\{32\}\.css' | head -n 1) \
    || die "the list page names no fingerprinted stylesheet"
  static_chain="https://127.0.0.1:$LB_HTTPS_PORT$asset"
  static_web="http://127.0.0.1:$(web_listener_port app-1)$asset"

  step "warming up (each target until its rate stops rising)"
  bench_warm app-1 "$direct"
  bench_warm chain "$chain"
  bench_warm "$BENCH_SPLIT_APP" "$split"
  bench_warm "$BENCH_PRIMARY_APP" "$primary"
  bench_warm "$BENCH_CONNECTORJ_APP" "$connectorj"

  step "a, b: list page direct / through Nginx / through the chain; static file through the chain and from Nginx"
  bench_compare ab "$BENCH_ROUNDS" "$BENCH_CONNECTIONS" get direct "$direct" via-nginx "$via_nginx" \
    chain "$chain" static-chain "$static_chain" static-nginx "$static_web"
  step "c: 90/10 read/write mix through the chain (web-1's per-address write limit lifted)"
  bench_lift_write_limit
  local posts_before
  posts_before=$(bench_post_count)
  bench_compare c "$BENCH_SCALING_ROUNDS" "$BENCH_CONNECTIONS" mix mix "$chain"
  bench_fact mix_posts_written $(($(bench_post_count) - posts_before))
  bench_restore_write_limit
  step "d, e: the read/write split / every query on the primary / Connector/J's replication driver"
  bench_compare de "$BENCH_FINE_ROUNDS" "$BENCH_CONNECTIONS" get split "$split" primary-only "$primary" \
    connectorj "$connectorj"
  step "f: 16, 64 and 256 connections, direct and through the chain"
  local conns
  for conns in 16 64 256; do
    bench_compare "f$conns" "$BENCH_SCALING_ROUNDS" "$conns" get direct "$direct" chain "$chain"
  done
  bench_memory
  local app
  for app in "${BENCH_APPS[@]}"; do app_down "$app"; done
  bench_probes_cost "$direct" "$chain"
  bench_cleanup
  trap - EXIT
  bench_fact machine "$(bench_machine)"
  bench_fact seconds_per_run "$BENCH_SECONDS"
  bench_fact rounds "$BENCH_ROUNDS (d, e: $BENCH_FINE_ROUNDS; c, f: $BENCH_SCALING_ROUNDS)"
  java "$ROOT/scripts/BenchReport.java" "$BENCH_DIR"
}

bench_fact() { printf '%s\t%s\n' "$1" "$2" >>"$BENCH_DIR/facts.tsv"; }

bench_machine() {
  local cpu
  cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
  printf '%s, %s cores, %s GiB; %s; wrk %s' "${cpu:-unknown CPU}" "$(nproc)" \
    "$(awk '/MemTotal/ {printf "%d", $2 / 1048576 + 0.5}' /proc/meminfo)" \
    "$(. /etc/os-release && echo "$PRETTY_NAME")" "$(dpkg-query -W -f='${Version}' wrk)"
}

# One wrk run; prints its RESULT line (see scripts/bench/result.lua).
bench_wrk() {
  local conns=$1 seconds=$2 script=$3 url=$4 out
  out=$(wrk -t2 -c"$conns" -d"${seconds}s" --timeout 5s -s "$ROOT/scripts/bench/$script.lua" "$url" 2>&1) \
    || die "wrk failed on $url: $out"
  grep '^RESULT ' <<<"$out" || die "wrk printed no result for $url: $out"
}

# Runs the targets of one comparison in turn, round after round (A B A B ...), and records
# each run: scenario rounds conns script [name url]...
bench_compare() {
  local scenario=$1 rounds=$2 conns=$3 script=$4 round i result
  shift 4
  for ((round = 1; round <= rounds; round++)); do
    for ((i = 1; i <= $#; i += 2)); do
      local name=${!i} next=$((i + 1))
      local url=${!next}
      result=$(bench_wrk "$conns" "$BENCH_SECONDS" "$script" "$url")
      bench_record "$scenario" "$name" "$round" "$conns" "$result"
    done
  done
}

# Records one wrk run in runs.tsv and prints it: scenario name round conns RESULT-line.
bench_record() {
  local scenario=$1 name=$2 round=$3 conns=$4 rps p50 p99 requests errors status
  read -r _ rps p50 p99 requests errors status <<<"$5"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$name" "$round" "$conns" \
    "$rps" "$p50" "$p99" "$requests" "$errors" "$status" >>"$BENCH_DIR/runs.tsv"
  info "$(printf '%-4s %-13s round %d  %4d conns  %9s req/s  p50 %8s ms  p99 %8s ms  errors %s' \
    "$scenario" "$name" "$round" "$conns" "$rps" "$p50" "$p99" "$errors")"
}

# The JIT compiles the hot code only after a while, and slowly while the load keeps every
# core busy: a light load first (two connections leave the compiler room), then runs of
# 10s at full load until two in a row no longer beat the best by 3% (at most 20 runs).
bench_warm() {
  local name=$1 url=$2 best=0 flat=0 rps run
  bench_wrk 2 30 get "$url" >/dev/null
  for run in $(seq 1 20); do
    rps=$(bench_wrk "$BENCH_CONNECTIONS" 10 get "$url" | awk '{print int($2)}')
    if [ $((rps * 100)) -gt $((best * 103)) ]; then
      best=$rps
      flat=0
    else
      flat=$((flat + 1))
      [ "$flat" -lt 2 ] || break
    fi
  done
  info "$name warm after 30s at 2 connections and $run runs of 10s: $rps req/s"
}

# What a person gets right after ./stack up: the stack stopped and started again (its
# data kept), then the list page through the chain, without a warm-up, in three
# consecutive runs: 0-10 s, 10-30 s and 30-60 s after up returned. Then, nobody having
# opened the dashboard, the CPU of the idle app servers.
bench_first_minute() {
  step "the first minute after ./stack up: the stack stopped and started, then loaded at once"
  cmd_down
  cmd_up >"$BENCH_DIR/first-minute-up.log"
  local chain="https://127.0.0.1:$LB_HTTPS_PORT/" window result
  for window in 0-10s:10 10-30s:20 30-60s:30; do
    result=$(bench_wrk "$BENCH_CONNECTIONS" "${window#*:}" get "$chain")
    bench_record up "${window%%:*}" 1 "$BENCH_CONNECTIONS" "$result"
  done
  bench_idle_cpu idle_cpu_percent "idle app servers, nobody watching"
}

# (g) What the dashboard's probes cost, on app-1 and app-2 as ./stack up leaves them: the
# probes run while the dashboard is watched and stop a minute after (watch-window), so
# each round measures direct and chain with nobody watching, then with an admin watching
# (bench_watch: signed in once, its panels fetched every 3 s as the page does, through the
# chain, so both app servers probe). Before an off phase the bench loads the stack until
# no app server probes, before an on phase until both do; the app servers' own count of probe
# rounds during the measured runs goes to the report, which trusts the comparison only if
# the off phases had none and the on phases some. Then the CPU of idle app servers with
# the dashboard open.
bench_probes_cost() {
  local direct=$1 chain=$2 round phase before rounds_off=0 rounds_on=0 rounds
  for ((round = 1; round <= BENCH_FINE_ROUNDS; round++)); do
    for phase in off on; do
      if [ "$phase" = off ]; then
        step "g, round $round: the probes off (nobody watching; under load until no app server probes)"
        bench_watch_stop
      else
        step "g, round $round: the probes on (an admin watching; under load until both app servers probe)"
        bench_watch_start
      fi
      bench_probes_wait "$phase" "$direct" "$chain"
      before=$(bench_probe_rounds_total)
      bench_record g "direct-$phase" "$round" "$BENCH_CONNECTIONS" \
        "$(bench_wrk "$BENCH_CONNECTIONS" "$BENCH_SECONDS" get "$direct")"
      bench_record g "chain-$phase" "$round" "$BENCH_CONNECTIONS" \
        "$(bench_wrk "$BENCH_CONNECTIONS" "$BENCH_SECONDS" get "$chain")"
      rounds=$(($(bench_probe_rounds_total) - before))
      info "probe rounds during these runs: $rounds"
      if [ "$phase" = off ]; then rounds_off=$((rounds_off + rounds)); else rounds_on=$((rounds_on + rounds)); fi
    done
  done
  bench_fact probe_rounds_off "$rounds_off"
  bench_fact probe_rounds_on "$rounds_on"
  bench_idle_cpu idle_watched_cpu_percent "idle app servers, the dashboard open"
  bench_watch_stop
}

# The rounds of health probes an app server has run since it started
# (webstack_dashboard_probe_rounds_total, from its management port).
bench_probe_rounds() {
  curl -fsS --max-time 5 "http://127.0.0.1:$(app_management_port "$1")/actuator/prometheus" \
    | awk '/^webstack_dashboard_probe_rounds_total\{.*kind="health"/ {sum += $NF} END {printf "%d\n", sum}'
}

bench_probe_rounds_total() {
  local app sum=0 rounds
  for app in "${APPS[@]}"; do
    rounds=$(bench_probe_rounds "$app") || die "$app's metrics could not be read"
    sum=$((sum + rounds))
  done
  echo "$sum"
}

# Waits, under load, until the probes are off (no app server's count of probe rounds
# moves over a run: a minute or so after the last look at the dashboard) or on (each app
# server has run a round since the wait began). The load keeps both phases equally warm:
# after a minute's rest the first runs were slower, which made the probes look free.
bench_probes_wait() {
  local phase=$1 direct=$2 chain=$3 deadline=$((SECONDS + 180)) app before=() after=() i moved url=$2
  for app in "${APPS[@]}"; do before+=("$(bench_probe_rounds "$app")"); done
  while :; do
    bench_wrk "$BENCH_CONNECTIONS" 5 get "$url" >/dev/null
    [ "$url" = "$direct" ] && url=$chain || url=$direct
    after=()
    for app in "${APPS[@]}"; do after+=("$(bench_probe_rounds "$app")"); done
    moved=0
    for i in "${!after[@]}"; do
      if [ "${after[$i]}" -gt "${before[$i]}" ]; then
        moved=$((moved + 1))
      fi
    done
    case $phase in
      off) [ "$moved" -gt 0 ] || return 0 ;;
      on) [ "$moved" -lt "${#APPS[@]}" ] || return 0 ;;
    esac
    [ "$SECONDS" -lt "$deadline" ] || die "the dashboard's probes did not turn $phase within 3 minutes"
    [ "$phase" = on ] || before=("${after[@]}")
  done
}

# An admin with the dashboard open, in the background: signed in once through the chain
# (the password from its file, never on a command line), then the panels every 3 s.
bench_watch_start() {
  local jar="$BENCH_DIR/watch-cookies" site="https://127.0.0.1:$LB_HTTPS_PORT" token status
  rm -f "$jar"
  token=$(curl -fsS --cacert "$TLS_DIR/lb-1.crt" -c "$jar" -b "$jar" "$site/login" \
    | grep -o 'name="_csrf" value="[^"]*"' | sed 's/.*value="//; s/"$//') || die "no sign-in form at $site/login"
  status=$(curl -sS --cacert "$TLS_DIR/lb-1.crt" -c "$jar" -b "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' \
    --data-urlencode username=admin --data-urlencode "password@"<(tr -d '\n' <"$SECRETS_DIR/admin-password") \
    --data-urlencode "_csrf=$token" "$site/login")
  case $status in
    302*/admin*) ;;
    *) die "the bench's admin could not sign in: $status" ;;
  esac
  (while curl -fsS --cacert "$TLS_DIR/lb-1.crt" -b "$jar" -o /dev/null "$site/admin/panels"; do sleep 3; done) &
  BENCH_WATCHER_PID=$!
  info "an admin watches the dashboard (pid $BENCH_WATCHER_PID)"
}

bench_watch_stop() {
  [ -n "${BENCH_WATCHER_PID:-}" ] || return 0
  kill "$BENCH_WATCHER_PID" 2>/dev/null || true
  wait "$BENCH_WATCHER_PID" 2>/dev/null || true
  BENCH_WATCHER_PID=""
}

# Percent of one core each app server uses over a minute without load, after a settling
# pause: fact <prefix>_<app>.
bench_idle_cpu() {
  local prefix=$1 label=$2
  step "$label: CPU over 60 s without load"
  sleep 30
  local app pid before=() after ticks percent i=0
  ticks=$(getconf CLK_TCK)
  for app in "${APPS[@]}"; do
    pid=$(running_pid "$app") || die "$app is not running"
    before+=("$(bench_cpu_ticks "$pid")")
  done
  sleep 60
  for app in "${APPS[@]}"; do
    pid=$(running_pid "$app") || die "$app is not running"
    after=$(bench_cpu_ticks "$pid")
    percent=$(awk -v a="${before[$i]}" -v b="$after" -v t="$ticks" 'BEGIN {printf "%.2f", (b - a) / t / 60 * 100}')
    bench_fact "${prefix}_$app" "$percent"
    info "$app: $percent% of a core"
    i=$((i + 1))
  done
}

# User and system CPU time (clock ticks) of a process and all of its threads.
bench_cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

bench_post_count() { db_sql db-1 webstack -e 'select count(*) from post'; }

# The list page shows 20 posts; a fresh stack has none.
bench_seed_posts() {
  local have
  have=$(bench_post_count)
  [ "$have" -ge 40 ] && return 0
  step "adding $((40 - have)) posts so that the list page has a full page to show"
  db_sql db-1 webstack <<SQL
insert into post (title, body, author, created_at)
select concat('Benchmark post ', seq), 'A post that ./stack bench added.', 'bench', now(3)
from seq_1_to_$((40 - have));
SQL
}

# (c) writes from one address far faster than web-1 lets one address write (10/s): the
# benchmark's one client stands for many users. The limit is lifted in the rendered copy
# of the configuration only, for (c), and restored (also when the bench is interrupted).
bench_lift_write_limit() {
  sed -i 's/zone=writes:10m rate=[0-9]*r\/s/zone=writes:10m rate=100000r\/s/' "$WEB_DIR/conf.d/limits.conf"
  grep -q 'rate=100000r/s' "$WEB_DIR/conf.d/limits.conf" || die "could not lift web-1's write limit"
  bench_reload_web
}

bench_restore_write_limit() {
  web_render
  web_validate
  bench_reload_web
}

bench_reload_web() {
  local pid
  pid=$(running_pid web-1) || die "web-1 is not running"
  web_validate
  kill -HUP "$pid"
  # The new workers answer once the old ones have handed over.
  sleep 1
}

bench_cleanup() {
  bench_watch_stop
  grep -q 'rate=100000r/s' "$WEB_DIR/conf.d/limits.conf" 2>/dev/null && bench_restore_write_limit
  local app
  for app in "${BENCH_APPS[@]}"; do app_down "$app"; done
}

# Resident memory (kB) of each component, all of its processes (Nginx's and HAProxy's
# workers too): each was started with setsid, so its PID is its session's.
bench_memory() {
  local component pid rss
  for component in lb-1 web-1 app-1 app-2 db-1 db-2 prometheus alertmanager "${EXPORTERS[@]}"; do
    pid=$(running_pid "$component") || continue
    rss=$(ps -o rss= --sid "$pid" | awk '{sum += $1} END {print sum + 0}')
    bench_fact "rss_kb_$component" "$rss"
  done
}

# A cold ./stack up: a throwaway stack with its own state directory and ports, started from
# nothing (databases initialised, secrets and certificate made, schema migrated), then
# stopped and removed. The application jar is built beforehand, as a user's would be.
bench_cold_up() {
  app_build
  local dir start end seconds
  dir=$(mktemp -d)
  step "timing a cold ./stack up (state in $dir, ports +$BENCH_COLD_OFFSET)"
  start=$(date +%s.%N)
  if ! bench_cold_stack "$dir" up >"$BENCH_DIR/cold-up.log" 2>&1; then
    bench_cold_stack "$dir" down >/dev/null 2>&1 || true
    die "the cold ./stack up failed; see $BENCH_DIR/cold-up.log"
  fi
  end=$(date +%s.%N)
  bench_cold_stack "$dir" down >/dev/null 2>&1
  rm -rf "$dir"
  seconds=$(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.1f", e - s}')
  bench_fact cold_up_seconds "$seconds"
  info "cold ./stack up: ${seconds}s"
}

# ./stack for the throwaway stack: state directory, then the command.
bench_cold_stack() {
  local dir=$1
  shift
  WEBSTACK_STATE_DIR=$dir WEBSTACK_PORT_OFFSET=$BENCH_COLD_OFFSET "$ROOT/stack" "$@"
}
