# shellcheck shell=bash
# Shared helpers for ./stack: state paths, progress output, PID files, waiting.

STATE_DIR=${WEBSTACK_STATE_DIR:-$ROOT/.stack}
SECRETS_DIR=$STATE_DIR/secrets
LOG_DIR=$STATE_DIR/logs
RUN_DIR=$STATE_DIR/run
# Every port is its documented default plus this offset, so a second stack (the tests')
# can run beside a developer's own.
PORT_OFFSET=${WEBSTACK_PORT_OFFSET:-0}

port() { echo $(($1 + PORT_OFFSET)); }

# Answers when an HTTP(S) URL returns a 2xx; extra curl options may follow the URL.
http_ok() {
  local url=$1
  shift
  curl -fsS -o /dev/null --max-time 2 "$@" "$url"
}

step() { printf '==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() { printf 'stack: %s\n' "$*" >&2; exit 1; }

ensure_dirs() {
  mkdir -p "$STATE_DIR" "$LOG_DIR" "$RUN_DIR"
  (umask 077 && mkdir -p "$SECRETS_DIR")
  chmod 700 "$SECRETS_DIR"
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

# Creates a random secret in $SECRETS_DIR/<name> once (mode 0600) and prints nothing.
ensure_secret() {
  local file=$SECRETS_DIR/$1
  if [ ! -s "$file" ]; then
    # head closes the pipe early by design, so pipefail is off in this subshell.
    (set +o pipefail; umask 077 && LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32 >"$file")
  fi
  chmod 600 "$file"
}

secret() { cat "$SECRETS_DIR/$1"; }

# Runs curl as a user whose password is a secret file: the credentials reach curl on its
# standard input (-K -), never on its command line, where ps would show them.
# usage: curl_as <user> <secret name> <curl arguments...>
curl_as() {
  local user=$1 name=$2
  shift 2
  printf 'user = "%s:%s"\n' "$user" "$(secret "$name")" | curl -K - "$@"
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

# Fails with a clear message when something else already listens on a port we need.
ensure_port_free() {
  local what=$1 port=$2
  if ss -Hltn "sport = :$port" | grep -q .; then
    die "cannot start $what: port $port is already in use by another process (ss -ltnp 'sport = :$port')"
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
  printf '%-8s %-10s %-22s %-8s %s\n' COMPONENT ROLE ADDRESS PID STATE
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
  printf '%-8s %-10s %-22s %-8s %s\n' "$@"
}
