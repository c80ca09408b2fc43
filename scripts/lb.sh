# shellcheck shell=bash
# lb-1: HAProxy, with TLS, round-robin over web-1's two listeners, stats and exporter.

LB_HTTP_PORT=$(port 8080 80)
LB_HTTPS_PORT=$(port 8443 443)
LB_STATS_PORT=$(port 8404)
TLS_DIR=$STATE_DIR/tls
# A certificate of your own: a PEM file holding the certificate chain and the private key.
LB_CERT_FILE=${WEBSTACK_TLS_PEM:-$TLS_DIR/lb-1.pem}
LB_CONFIG=${WEBSTACK_HAPROXY_CONFIG:-$ROOT/haproxy/haproxy.cfg}
# HAProxy's Runtime API socket, in a directory of lb-1's account (it makes the socket,
# and a new one on each reload); and, when ./stack runs as root, the directory its
# workers chroot into: empty, and not writable by them.
LB_RUN_DIR=$STATE_DIR/lb-1/run
LB_CHROOT_DIR=$STATE_DIR/lb-1/chroot
LB_SOCKET=$LB_RUN_DIR/haproxy.sock

# The site's address: where this machine reaches lb-1.
lb_site() {
  local port=''
  [ "$LB_HTTPS_PORT" = 443 ] || port=:$LB_HTTPS_PORT
  echo "https://$(component_address lb-1)$port"
}

# Generates a self-signed certificate for 127.0.0.1, localhost and lb-1's addresses in the
# hosts mode, unless one is given; again when the one there does not name the site's
# address (made before the hosts mode ran).
lb_ensure_certificate() {
  [ -n "${WEBSTACK_TLS_PEM:-}" ] && return 0
  local site
  site=$(component_address lb-1)
  if [ -s "$LB_CERT_FILE" ] && openssl x509 -noout -checkip "$site" -in "$TLS_DIR/lb-1.crt" 2>/dev/null \
    | grep -q 'does match'; then
    secret_owner "$LB_CERT_FILE" "$(component_account lb-1)"
    return 0
  fi
  step "generating a self-signed TLS certificate for 127.0.0.1, localhost and lb-1's addresses in the hosts mode"
  mkdir -p "$TLS_DIR"
  (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
    -subj "/CN=localhost/O=Webstack" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:$(host_address lb-1 front),IP:$(host_address lb-1 app)" \
    -addext "extendedKeyUsage=serverAuth" \
    -keyout "$TLS_DIR/lb-1.key" -out "$TLS_DIR/lb-1.crt" 2>/dev/null)
  cat "$TLS_DIR/lb-1.crt" "$TLS_DIR/lb-1.key" >"$LB_CERT_FILE"
  chmod 600 "$LB_CERT_FILE" "$TLS_DIR/lb-1.key"
  # HAProxy reads it (before it chroots), as lb-1's account.
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

# lb-1's public listeners are on each of its networks in the hosts mode (this machine
# reaches front; the app servers' dashboard checks the public side over app).
lb_public_bind() {
  if [ "$STACK_MODE" = hosts ]; then
    echo "$(component_address lb-1 front):$1,$(component_address lb-1 app):$1"
  else
    echo "127.0.0.1:$1"
  fi
}

lb_env() {
  LB_HTTP_BIND=$(lb_public_bind "$LB_HTTP_PORT")
  LB_HTTPS_BIND=$(lb_public_bind "$LB_HTTPS_PORT")
  LB_STATS_BIND=$(component_address lb-1 app):$LB_STATS_PORT
  export LB_HTTP_BIND LB_HTTPS_BIND LB_HTTPS_PORT LB_STATS_BIND
  export LB_CERT=$LB_CERT_FILE
  export LB_RUNTIME_SOCKET=$LB_SOCKET
  # Only root can give HAProxy the capability to chroot; haproxy.cfg chroots when this is set.
  if [ -n "$AS_ROOT" ]; then export LB_CHROOT=$LB_CHROOT_DIR; fi
  WEB_APP1_ADDR=$(component_address web-1):$(web_listener_port app-1)
  WEB_APP2_ADDR=$(component_address web-1):$(web_listener_port app-2)
  export WEB_APP1_ADDR WEB_APP2_ADDR
}

lb_render() {
  lb_ensure_certificate
  lb_ensure_users
  # The admin password's hash, which older versions gave HAProxy, is no longer used.
  rm -f "$SECRETS_DIR/admin-password.sha512crypt"
  mkdir -p "$LB_RUN_DIR" "$LB_CHROOT_DIR"
  component_owns lb-1 "$LB_RUN_DIR"
}

lb_validate() {
  local out
  # Checked as the account that runs it, so that a file it cannot read fails here.
  out=$(lb_env && as_component lb-1 haproxy -c -q -f "$LB_CONFIG" -f "$LB_USERS_FILE" 2>&1) \
    || die "the HAProxy configuration $LB_CONFIG is invalid (nothing was started or changed):
$out"
}

lb_stats() {
  curl_as_from lb-1 stats lb-stats-password -fsS --max-time 2 "http://$(component_address lb-1 app):$LB_STATS_PORT/;csv"
}

# HAProxy answers: its stats, and a TLS handshake and a request that it refuses itself
# (/readyz is denied at the edge), so that a slow first page of a cold app server does not
# make the load balancer look down.
lb_ready() { lb_stats >/dev/null && curl -sk -o /dev/null --max-time 2 "$(lb_site)/readyz"; }

lb_up() {
  local pid
  if pid=$(running_pid lb-1); then
    info "lb-1 already running (pid $pid)"
    return 0
  fi
  ensure_port_free lb-1 "$LB_HTTP_PORT"
  ensure_port_free lb-1 "$LB_HTTPS_PORT"
  ensure_port_free lb-1 "$LB_STATS_PORT"
  step "starting lb-1 (HAProxy) on $(lb_site) (stats $(component_address lb-1 app):$LB_STATS_PORT)"
  # Master-worker mode in the foreground: the recorded PID is the master's, which a
  # SIGUSR2 reloads and a SIGTERM stops along with its workers.
  (lb_env && spawn lb-1 haproxy -W -db -f "$LB_CONFIG" -f "$LB_USERS_FILE")
  pid=$(cat "$(pid_file lb-1)")
  wait_for lb-1 30 "$pid" lb_ready
  info "lb-1 ready (pid $pid)"
}

# The state HAProxy's health checks give a backend server (UP, DOWN, MAINT, ...).
lb_server_state() { lb_server_field "$1" status; }

lb_servers_up() {
  [ "$(lb_server_state app-1)" = UP ] && [ "$(lb_server_state app-2)" = UP ]
}

lb_wait_servers_up() {
  wait_for "HAProxy's health checks of app-1 and app-2" 30 "" lb_servers_up
  info "lb-1 sees app-1 and app-2 UP"
}

# Sends a command to HAProxy's Runtime API (its admin socket) and prints the answer.
lb_runtime() {
  printf '%s\n' "$1" | socat -t 2 stdio "unix-connect:$LB_SOCKET"
}

# A column of a backend server's row in the stats CSV (status, scur, ...).
lb_server_field() {
  lb_stats 2>/dev/null | awk -F, -v server="$1" -v field="$2" '
    NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++) if ($i == field) col = i; next }
    $1 == "app_servers" && $2 == server { print $col }'
}

lb_server_idle() { [ "$(lb_server_field "$1" scur)" = 0 ]; }

lb_server_up() { [ "$(lb_server_field "$1" status)" = UP ]; }

# Takes an app server out of rotation without cutting what it is serving, and waits
# until it serves nothing.
lb_drain() {
  local name=$1
  running_pid lb-1 >/dev/null || return 0
  step "draining $name in HAProxy (no new requests; in-flight ones finish)"
  lb_runtime "set server app_servers/$name state drain" >/dev/null
  wait_for "$name to finish its in-flight requests" 30 "" lb_server_idle "$name"
}

# Puts an app server back in rotation once HAProxy's checks find it healthy.
lb_undrain() {
  local name=$1
  running_pid lb-1 >/dev/null || return 0
  lb_runtime "set server app_servers/$name state ready" >/dev/null
  wait_for "HAProxy's checks of $name" 30 "" lb_server_up "$name"
  info "$name back in rotation"
}

lb_down() { stop_component lb-1 30; }

lb_status_row() {
  local pid state
  if pid=$(running_pid lb-1); then
    if lb_ready 2>/dev/null; then
      state="UP (app-1 $(lb_server_state app-1), app-2 $(lb_server_state app-2))"
    else
      state="DOWN (not answering)"
    fi
  else
    pid=-
    state=DOWN
  fi
  status_row lb-1 "load bal." "$(component_address lb-1):$LB_HTTPS_PORT" "$pid" "$state"
}
