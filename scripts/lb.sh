# shellcheck shell=bash
# The load balancers: HAProxy, with TLS, round-robin over every web server's listeners
# (one per app server), stats and exporter. lb-1 alone; in the ha mode lb-1 and lb-2 with
# the same configuration, and keepalived on each (keepalived-1, keepalived-2) holding the
# site's virtual address on one of them.

LBS=(lb-1)
[ -z "$STACK_HA" ] || LBS=(lb-1 lb-2)
LB_HTTP_PORT=$(port 8080 80)
LB_HTTPS_PORT=$(port 8443 443)
LB_STATS_PORT=$(port 8404)
TLS_DIR=$STATE_DIR/tls
# A certificate of your own: a PEM file holding the certificate chain and the private key.
LB_CERT_FILE=${WEBSTACK_TLS_PEM:-$TLS_DIR/lb-1.pem}
LB_CONFIG=${WEBSTACK_HAPROXY_CONFIG:-$ROOT/haproxy/haproxy.cfg}

# A load balancer's Runtime API socket, in a directory of its account (it makes the
# socket, and a new one on each reload); and, when ./stack runs as root, the directory its
# workers chroot into: empty, and not writable by them.
lb_run_dir() { echo "$STATE_DIR/$1/run"; }
lb_chroot_dir() { echo "$STATE_DIR/$1/chroot"; }
lb_socket() { echo "$(lb_run_dir "$1")/haproxy.sock"; }

# The site's address: where this machine reaches lb-1, or the virtual address in the ha mode.
lb_site_address() {
  if [ -n "$STACK_HA" ]; then site_virtual_address front; else component_address lb-1; fi
}

lb_site() {
  local port=''
  [ "$LB_HTTPS_PORT" = 443 ] || port=:$LB_HTTPS_PORT
  echo "https://$(lb_site_address)$port"
}

# Generates a self-signed certificate for 127.0.0.1, localhost and the load balancers'
# addresses in the hosts modes (the virtual ones included), unless one is given; again
# when the one there does not name the site's address (made before the hosts mode ran).
lb_ensure_certificate() {
  [ -n "${WEBSTACK_TLS_PEM:-}" ] && return 0
  local site
  site=$(lb_site_address)
  if [ -s "$LB_CERT_FILE" ] && openssl x509 -noout -checkip "$site" -in "$TLS_DIR/lb-1.crt" 2>/dev/null \
    | grep -q 'does match'; then
    secret_owner "$LB_CERT_FILE" "$(component_account lb-1)"
    return 0
  fi
  step "generating a self-signed TLS certificate for 127.0.0.1, localhost and the load balancers' addresses in the hosts modes"
  local names="DNS:localhost,IP:127.0.0.1" lb network
  for network in front app; do
    for lb in lb-1 lb-2; do names+=",IP:$(host_address "$lb" "$network")"; done
    names+=",IP:$(site_virtual_address "$network")"
  done
  mkdir -p "$TLS_DIR"
  (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
    -subj "/CN=localhost/O=Webstack" \
    -addext "subjectAltName=$names" \
    -addext "extendedKeyUsage=serverAuth" \
    -keyout "$TLS_DIR/lb-1.key" -out "$TLS_DIR/lb-1.crt" 2>/dev/null)
  cat "$TLS_DIR/lb-1.crt" "$TLS_DIR/lb-1.key" >"$LB_CERT_FILE"
  chmod 600 "$LB_CERT_FILE" "$TLS_DIR/lb-1.key"
  # HAProxy reads it (before it chroots), as the load balancers' account.
  secret_owner "$LB_CERT_FILE" "$(component_account lb-1)"
}

# The stats listener's users, a second HAProxy configuration file beside the secrets
# (mode 0600) rather than in HAProxy's environment: user stats opens the stats page, user
# prometheus opens /metrics, each with its own generated password, checked against a
# crypt(3) hash. openssl reads each password on stdin, never on its command line.
LB_USERS_FILE=$SECRETS_DIR/haproxy-users.cfg

lb_ensure_users() {
  if [ -s "$LB_USERS_FILE" ] && [ "$LB_USERS_FILE" -nt "$SECRETS_DIR/lb-stats-password" ] \
    && [ "$LB_USERS_FILE" -nt "$SECRETS_DIR/lb-metrics-password" ]; then
    # Rendered before, perhaps by a run as another user: HAProxy's account must read it.
    secret_owner "$LB_USERS_FILE" "$(component_account lb-1)"
    return 0
  fi
  (umask 077 && "$ROOT/haproxy/users.sh" "$SECRETS_DIR" >"$LB_USERS_FILE.new")
  mv -f "$LB_USERS_FILE.new" "$LB_USERS_FILE"
  # HAProxy reads it (before it chroots), as lb-1's account.
  secret_owner "$LB_USERS_FILE" "$(component_account lb-1)"
}

# A load balancer's public listeners are on each of its networks in the hosts mode (this
# machine reaches front; the app servers' dashboard checks the public side over app), and
# on the virtual addresses too in the ha mode (bound while the other holds them:
# ip_nonlocal_bind, scripts/hosts.sh).
lb_public_bind() {
  local name=$1 port=$2
  if [ "$STACK_MODE" != hosts ]; then
    echo "127.0.0.1:$port"
    return 0
  fi
  local binds
  binds="$(component_address "$name" front):$port,$(component_address "$name" app):$port"
  [ -z "$STACK_HA" ] || binds+=",$(site_virtual_address front):$port,$(site_virtual_address app):$port"
  echo "$binds"
}

lb_env() {
  local name=$1
  export LB_NAME=$name
  LB_HTTP_BIND=$(lb_public_bind "$name" "$LB_HTTP_PORT")
  LB_HTTPS_BIND=$(lb_public_bind "$name" "$LB_HTTPS_PORT")
  LB_STATS_BIND=$(component_address "$name" app):$LB_STATS_PORT
  export LB_HTTP_BIND LB_HTTPS_BIND LB_HTTPS_PORT LB_STATS_BIND
  export LB_CERT=$LB_CERT_FILE
  LB_RUNTIME_SOCKET=$(lb_socket "$name")
  export LB_RUNTIME_SOCKET
  # Only root can give HAProxy the capability to chroot; haproxy.cfg chroots when this is set.
  if [ -n "$AS_ROOT" ]; then
    LB_CHROOT=$(lb_chroot_dir "$name")
    export LB_CHROOT
  fi
  WEB_APP1_ADDR=$(component_address web-1):$(web_listener_port app-1)
  WEB_APP2_ADDR=$(component_address web-1):$(web_listener_port app-2)
  export WEB_APP1_ADDR WEB_APP2_ADDR
  # The ha mode's second web server: its paths are backend entries of their own.
  if [ -n "$STACK_HA" ]; then
    WEB2_APP1_ADDR=$(component_address web-2):$(web_listener_port app-1)
    WEB2_APP2_ADDR=$(component_address web-2):$(web_listener_port app-2)
    export WEB2_APP1_ADDR WEB2_APP2_ADDR
  fi
}

lb_render() {
  lb_ensure_certificate
  lb_ensure_users
  # The admin password's hash, which older versions gave HAProxy, is no longer used.
  rm -f "$SECRETS_DIR/admin-password.sha512crypt"
  local name
  for name in "${LBS[@]}"; do
    mkdir -p "$(lb_run_dir "$name")" "$(lb_chroot_dir "$name")"
    component_owns "$name" "$(lb_run_dir "$name")"
  done
  [ -z "$STACK_HA" ] || keepalived_render
}

lb_validate() {
  local out name
  for name in "${LBS[@]}"; do
    # Checked as the account that runs it, so that a file it cannot read fails here.
    out=$(lb_env "$name" && as_component "$name" haproxy -c -q -f "$LB_CONFIG" -f "$LB_USERS_FILE" 2>&1) \
      || die "the HAProxy configuration $LB_CONFIG is invalid for $name (nothing was started or changed):
$out"
  done
  [ -z "$STACK_HA" ] || keepalived_validate
}

lb_stats() {
  curl_as_from "$1" stats lb-stats-password -fsS --max-time 2 "http://$(component_address "$1" app):$LB_STATS_PORT/;csv"
}

# HAProxy answers: its stats, and a TLS handshake and a request that it refuses itself
# (/readyz is denied at the edge), so that a slow first page of a cold app server does not
# make the load balancer look down.
lb_ready() {
  local https=''
  [ "$LB_HTTPS_PORT" = 443 ] || https=:$LB_HTTPS_PORT
  lb_stats "$1" >/dev/null \
    && in_host "$1" curl -sk -o /dev/null --max-time 2 "https://$(component_address "$1")$https/readyz"
}

lb_up() {
  local name pid
  for name in "${LBS[@]}"; do
    already_running "$name" && continue
    ensure_port_free "$name" "$LB_HTTP_PORT"
    ensure_port_free "$name" "$LB_HTTPS_PORT"
    ensure_port_free "$name" "$LB_STATS_PORT"
    step "starting $name (HAProxy) on $(component_address "$name"):$LB_HTTPS_PORT (stats $(component_address "$name" app):$LB_STATS_PORT)"
    # Master-worker mode in the foreground: the recorded PID is the master's, which a
    # SIGUSR2 reloads and a SIGTERM stops along with its workers.
    (lb_env "$name" && spawn "$name" haproxy -W -db -f "$LB_CONFIG" -f "$LB_USERS_FILE")
    pid=$(cat "$(pid_file "$name")")
    wait_for "$name" 30 "$pid" lb_ready "$name"
    info "$name ready (pid $pid)"
  done
  [ -z "$STACK_HA" ] || keepalived_up
}

# The backend entries that lead to an app server: one through each web server (app-1
# through web-1, app-1.web-2 through web-2).
lb_entries() {
  local web
  for web in "${WEBS[@]}"; do
    if [ "$web" = web-1 ]; then echo "$1"; else echo "$1.$web"; fi
  done
}

# A column of a backend entry's row in a load balancer's stats CSV (status, scur, ...).
lb_server_field() {
  lb_stats "$1" 2>/dev/null | awk -F, -v server="$2" -v field="$3" '
    NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++) if ($i == field) col = i; next }
    $1 == "app_servers" && $2 == server { print $col }'
}

# The state HAProxy's health checks give a backend entry on a load balancer (UP, DOWN,
# MAINT, ...).
lb_server_state() { lb_server_field "$1" "$2" status; }

# Every entry of an app server on every running load balancer answers a test.
lb_every_entry() {
  local app=$1 test=$2 lb entry
  for lb in "${LBS[@]}"; do
    running_pid "$lb" >/dev/null || continue
    for entry in $(lb_entries "$app"); do
      "$test" "$lb" "$entry" || return 1
    done
  done
}

lb_entry_up() { [ "$(lb_server_state "$1" "$2")" = UP ]; }

lb_entry_idle() { [ "$(lb_server_field "$1" "$2" scur)" = 0 ]; }

lb_servers_up() { lb_every_entry app-1 lb_entry_up && lb_every_entry app-2 lb_entry_up; }

lb_wait_servers_up() {
  wait_for "HAProxy's health checks of app-1 and app-2" 30 "" lb_servers_up
  if [ ${#LBS[@]} -eq 1 ]; then
    info "lb-1 sees app-1 and app-2 UP"
  else
    info "${LBS[*]} see app-1 and app-2 UP through ${WEBS[*]}"
  fi
}

# Sends a command to a load balancer's Runtime API (its admin socket) and prints the answer.
lb_runtime() {
  printf '%s\n' "$2" | socat -t 2 stdio "unix-connect:$(lb_socket "$1")"
}

lb_entry_drain() { lb_runtime "$1" "set server app_servers/$2 state drain" >/dev/null; }

lb_entry_ready() { lb_runtime "$1" "set server app_servers/$2 state ready" >/dev/null; }

# Takes an app server out of rotation on every load balancer without cutting what it is
# serving, and waits until it serves nothing.
lb_drain() {
  local name=$1
  step "draining $name in HAProxy (no new requests; in-flight ones finish)"
  lb_every_entry "$name" lb_entry_drain
  wait_for "$name to finish its in-flight requests" 30 "" lb_every_entry "$name" lb_entry_idle
}

# Puts an app server back in rotation once HAProxy's checks find it healthy.
lb_undrain() {
  local name=$1
  lb_every_entry "$name" lb_entry_ready
  wait_for "HAProxy's checks of $name" 30 "" lb_every_entry "$name" lb_entry_up
  info "$name back in rotation"
}

lb_down() {
  local name
  [ -z "$STACK_HA" ] || keepalived_down
  for name in "${LBS[@]}"; do stop_component "$name" 30; done
}

lb_status_rows() {
  local name pid state app entry states
  for name in "${LBS[@]}"; do
    if pid=$(running_pid "$name"); then
      if lb_ready "$name" 2>/dev/null; then
        states=''
        for app in app-1 app-2; do
          for entry in $(lb_entries "$app"); do states+="$entry $(lb_server_state "$name" "$entry"), "; done
        done
        state="UP (${states%, })"
      else
        state="DOWN (not answering)"
      fi
    else
      pid=-
      state=DOWN
    fi
    status_row "$name" "load bal." "$(component_address "$name"):$LB_HTTPS_PORT" "$pid" "$state"
  done
  [ -z "$STACK_HA" ] || keepalived_status_rows
}
