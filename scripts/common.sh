# shellcheck shell=bash
# Shared helpers for ./stack: state paths, progress output, PID files, waiting.

STATE_DIR=${WEBSTACK_STATE_DIR:-$ROOT/.stack}
SECRETS_DIR=$STATE_DIR/secrets
LOG_DIR=$STATE_DIR/logs
RUN_DIR=$STATE_DIR/run
# What `nft list tables` said when ./stack last ran as root (it needs root; the
# dashboard's firewall check, running unprivileged, reads this instead).
FIREWALL_TABLES_FILE=$RUN_DIR/nft-tables
# Every port is its documented default plus this offset, so a second stack (the tests')
# can run beside a developer's own.
PORT_OFFSET=${WEBSTACK_PORT_OFFSET:-0}
# Where the components run: loopback (the default: every one a process on 127.0.0.1) or
# hosts (every one in a network namespace of its own, a host with its own address;
# scripts/hosts.sh). `./stack up --hosts` records the mode here, so that the commands
# after it (status, chaos, down) act on the stack that runs; WEBSTACK_MODE names it too.
MODE_FILE=$RUN_DIR/mode
# ha is the hosts mode with every tier doubled (`./stack up --hosts --ha`): STACK_MODE is
# hosts, and STACK_HA says the rest.
STACK_MODE=${WEBSTACK_MODE:-$(cat "$MODE_FILE" 2>/dev/null || echo loopback)}
STACK_HA=
case "$STACK_MODE" in
  loopback|hosts) ;;
  ha) STACK_MODE=hosts STACK_HA=1 ;;
  *) printf "stack: WEBSTACK_MODE must be loopback, hosts or ha, not '%s'\n" "$STACK_MODE" >&2; exit 1 ;;
esac

# The mode's name, as recorded and as WEBSTACK_MODE names it.
mode_name() { if [ -n "$STACK_HA" ]; then echo ha; else echo "$STACK_MODE"; fi; }

# A port: natively its documented default plus the offset; in the hosts mode, where each
# host has its own address, the default, or the standard port given second (443 for HTTPS).
port() {
  if [ "$STACK_MODE" = hosts ]; then echo "${2:-$1}"; else echo $(($1 + PORT_OFFSET)); fi
}

# Answers when an HTTP(S) URL returns a 2xx, asked from a component's host (in the hosts
# mode this machine reaches lb-1 alone): usage: http_ok_from <component> <url> [curl options...]
http_ok_from() {
  local component=$1
  shift
  in_host "$component" curl -fsS -o /dev/null --max-time 2 "${@:2}" "$1"
}

step() { printf '==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() { printf 'stack: %s\n' "$*" >&2; exit 1; }

# Who runs what. Run by root, ./stack runs each component under an unprivileged account
# of its own; run by anyone else, every component runs as that user.
if [ "$(id -u)" -eq 0 ]; then AS_ROOT=1; else AS_ROOT=; fi
# Everything the accounts must read (the jar, the docroot, configurations) is created
# readable by them, whatever umask root's shell has; secrets are made with 077.
[ -z "$AS_ROOT" ] || umask 022

# The account a component runs as: app-3.. are the benchmark's extra app servers.
component_account() {
  if [ -z "$AS_ROOT" ]; then
    id -un
    return 0
  fi
  case "$1" in
    db-*) echo mysql ;;
    web-*) echo www-data ;;
    lb-*) echo haproxy ;;
    keepalived-*) echo root ;; # it moves addresses
    app-*|prometheus|alertmanager) echo webstack ;;
    node|node-*|mysqld-*) echo prometheus ;;
    *) die "no account for '$1'" ;;
  esac
}

# The one account that reads each secret in $SECRETS_DIR when ./stack runs as root: the
# file (mode 0600) is given to it. A secret not listed stays root's, read by ./stack only
# (db-replication-password goes into SQL that ./stack runs). A new secret: one line here.
declare -A SECRET_READERS=(
  [admin-password]=webstack # the app servers' sign-in
  [session-key]=webstack
  [db-app-password]=webstack
  [db-migrations-password]=webstack
  [db-monitor-password]=webstack
  [lb-stats-password]=webstack   # the dashboard's probe of HAProxy's stats
  [lb-metrics-password]=webstack # Prometheus's scrape of HAProxy's /metrics
  [monitoring-password]=webstack # health details on the management ports
  [alertmanager-password]=webstack # Alertmanager's sign-in to the app servers' webhook
)

# Gives a file to the account that reads it (and to its group) when ./stack runs as root;
# run by anyone else, the file is already theirs.
secret_owner() {
  local file=$1 account=$2
  [ -n "$AS_ROOT" ] || return 0
  chown "$account:$(id -gn "$account")" "$file"
}

# The same for directories a component writes (data, temp, sockets), recursively.
component_owns() {
  local name=$1 dir account
  shift
  [ -n "$AS_ROOT" ] || return 0
  account=$(component_account "$name")
  for dir in "$@"; do
    chown -R "$account:$(id -gn "$account")" "$dir"
  done
}

# Creates the accounts when missing (the packages make mysql, www-data, haproxy and prometheus).
ensure_accounts() {
  [ -n "$AS_ROOT" ] || return 0
  local account
  for account in mysql www-data haproxy webstack prometheus; do
    id -u "$account" >/dev/null 2>&1 && continue
    step "creating the system account $account"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$account"
  done
}

# Sets RUN_AS to the command prefix that runs a command as a component's account:
# setpriv (which execs, so a PID stays the component's) when ./stack runs as root,
# nothing otherwise. HAProxy keeps one capability, CAP_SYS_CHROOT, for its chroot.
run_as() {
  RUN_AS=()
  [ -n "$AS_ROOT" ] || return 0
  local account caps=()
  account=$(component_account "$1")
  [ "$account" != root ] || return 0
  [[ "$1" != lb-* ]] || caps=(--inh-caps=+sys_chroot --ambient-caps=+sys_chroot)
  RUN_AS=(setpriv --reuid="$account" --regid="$(id -g "$account")" --init-groups "${caps[@]}"
    env HOME=/nonexistent USER="$account" LOGNAME="$account")
}

# Runs a command (a configuration check) as a component's account, on its host.
as_component() {
  local name=$1
  shift
  run_as "$name"
  host_prefix "$name"
  "${HOST_PREFIX[@]}" "${RUN_AS[@]}" "$@"
}

# Starts a component's process in the background: in a session of its own (so its PID is
# also its process group's, which stop_component signals), as its account, stdin closed,
# its output appended to its log; records its PID. The log is the component's account's,
# since Nginx opens it again by name (access_log /dev/stdout).
spawn() {
  local name=$1
  shift
  touch "$LOG_DIR/$name.log"
  component_owns "$name" "$LOG_DIR/$name.log"
  run_as "$name"
  host_prefix "$name"
  setsid "${HOST_PREFIX[@]}" "${RUN_AS[@]}" "$@" </dev/null >>"$LOG_DIR/$name.log" 2>&1 &
  echo "$!" >"$(pid_file "$name")"
}

# In the hosts mode, a directory with one such record per host, named after it.
HOSTS_FIREWALL_TABLES_DIR=$RUN_DIR/nft-tables.d

# Where the app servers read the record: this machine's, or every host's.
firewall_record() {
  if [ "$STACK_MODE" = hosts ]; then echo "$HOSTS_FIREWALL_TABLES_DIR"; else echo "$FIREWALL_TABLES_FILE"; fi
}

# Records the host's nftables tables for the dashboard, or, when not root, removes a
# record that could only grow stale. In the hosts mode, each host's, read inside its
# namespace: a host whose namespace is gone gets an empty record (no tables), which the
# dashboard names.
record_firewall() {
  if [ "$STACK_MODE" = hosts ]; then
    local host
    mkdir -p "$HOSTS_FIREWALL_TABLES_DIR"
    for host in "${HOSTS[@]}"; do
      in_host "$host" nft list tables >"$HOSTS_FIREWALL_TABLES_DIR/$host.new" 2>/dev/null || true
      mv -f "$HOSTS_FIREWALL_TABLES_DIR/$host.new" "$HOSTS_FIREWALL_TABLES_DIR/$host"
    done
    return 0
  fi
  if [ -n "$AS_ROOT" ] && nft list tables >"$FIREWALL_TABLES_FILE.new" 2>/dev/null; then
    mv -f "$FIREWALL_TABLES_FILE.new" "$FIREWALL_TABLES_FILE"
  else
    rm -f "$FIREWALL_TABLES_FILE" "$FIREWALL_TABLES_FILE.new"
  fi
}

ensure_dirs() {
  mkdir -p "$STATE_DIR" "$LOG_DIR" "$RUN_DIR"
  (umask 077 && mkdir -p "$SECRETS_DIR")
  chmod 700 "$SECRETS_DIR"
  [ -n "$AS_ROOT" ] || return 0
  ensure_accounts
  # The accounts pass through the state directory and the secrets directory but cannot
  # list them; what each may read or write is given to it by name.
  chmod 711 "$STATE_DIR" "$SECRETS_DIR"
  run_as app-1
  "${RUN_AS[@]}" test -x "$SECRETS_DIR" \
    || die "the unprivileged accounts cannot reach $STATE_DIR: every directory above it must be traversable (chmod o+x)"
}

# Installs Debian packages that are missing, as root or through sudo.
ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  step "installing ${missing[*]} with apt-get"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null || ! sudo -n true 2>/dev/null; then
      die "need root or passwordless sudo to install: ${missing[*]} (or install them yourself)"
    fi
    sudo=(sudo)
  fi
  # The package lists are refreshed once per run at most; installs never start the packages' own services.
  if [ -z "${WEBSTACK_APT_UPDATED:-}" ]; then
    "${sudo[@]}" apt-get update -qq
    export WEBSTACK_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Creates a random secret in $SECRETS_DIR/<name> once (mode 0600, owned by its reader
# in SECRET_READERS) and prints nothing.
ensure_secret() {
  local file=$SECRETS_DIR/$1
  if [ ! -s "$file" ]; then
    # head closes the pipe early by design, so pipefail is off in this subshell.
    (set +o pipefail; umask 077 && LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32 >"$file")
  fi
  chmod 600 "$file"
  secret_owner "$file" "${SECRET_READERS[$1]:-root}"
}

secret() { cat "$SECRETS_DIR/$1"; }

# Runs curl, from a component's host, as a user whose password is a secret file: the
# credentials reach curl on its standard input (-K -), never on its command line, where ps
# would show them.
# usage: curl_as_from <component> <user> <secret name> <curl arguments...>
curl_as_from() {
  local component=$1 user=$2 name=$3
  shift 3
  printf 'user = "%s:%s"\n' "$user" "$(secret "$name")" | in_host "$component" curl -K - "$@"
}

pid_file() { echo "$RUN_DIR/$1.pid"; }

# Prints the recorded PID of a component if that process is alive.
running_pid() {
  local file pid
  file=$(pid_file "$1")
  [ -s "$file" ] || return 1
  pid=$(cat "$file")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# Says so and answers when a component already runs (up starts only what is missing).
already_running() {
  local pid
  pid=$(running_pid "$1") || return 1
  info "$1 already running (pid $pid)"
}

# Stops a component by its recorded PID: SIGTERM, then SIGKILL after a grace period.
# Each component was started with setsid, so its PID is also its process group: the
# signal reaches its workers too (Nginx's, HAProxy's), even if the leader is already gone.
stop_component() {
  local name=$1 grace=${2:-30} pid waited=0
  if ! pid=$(running_pid "$name"); then
    rm -f "$(pid_file "$name")"
    return 0
  fi
  step "stopping $name (pid $pid)"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null || kill -0 -- "-$pid" 2>/dev/null; do
    if [ "$waited" -ge $((grace * 10)) ]; then
      info "$name did not stop in ${grace}s; sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  rm -f "$(pid_file "$name")"
}

# Fails with a clear message when something else already listens on a port a component
# needs (on its host, in the hosts mode).
ensure_port_free() {
  local name=$1 port=$2 where=''
  [ "$STACK_MODE" != hosts ] || where="ip netns exec $(host_ns "$(component_host "$name")") "
  if in_host "$name" ss -Hltn "sport = :$port" | grep -q .; then
    die "cannot start $name: port $port is already in use by another process (${where}ss -ltnp 'sport = :$port')"
  fi
}

# Polls a command until it succeeds, up to a timeout in seconds; fails with a message.
wait_for() {
  local what=$1 timeout=$2 pid=$3
  shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      die "$what exited while starting; see its log in $LOG_DIR"
    fi
    [ "$SECONDS" -lt "$deadline" ] || die "$what not ready after ${timeout}s; see its log in $LOG_DIR"
    sleep 0.2
  done
  if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
    die "$what exited while starting; see its log in $LOG_DIR"
  fi
}

status_header() {
  printf '%-12s %-10s %-22s %-8s %s\n' COMPONENT ROLE ADDRESS PID STATE
}

# A status row for a component whose readiness a function tells:
# name role address ready-function message-when-running-but-not-ready
component_status_row() {
  local name=$1 role=$2 address=$3 ready=$4 not_ready=$5 pid state
  if pid=$(running_pid "$name"); then
    if "$ready" "$name" 2>/dev/null; then state=UP; else state="DOWN ($not_ready)"; fi
  else
    pid=-
    state=DOWN
  fi
  status_row "$name" "$role" "$address" "$pid" "$state"
}

status_row() {
  printf '%-12s %-10s %-22s %-8s %s\n' "$@"
}
