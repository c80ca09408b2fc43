# shellcheck shell=bash
# web-1: Nginx, one listener per app server, static files from a docroot extracted from
# the application jar.

WEB_DIR=$STATE_DIR/nginx
WEB_DOCROOT=$STATE_DIR/docroot
WEB_STATUS_PORT=$(port 8090)

web_listener_port() { port $((8080 + $(app_index "$1"))); }

# Copies the configuration into the prefix directory and renders the listeners.
web_render() {
  mkdir -p "$WEB_DIR/sites"
  cp "$ROOT/nginx/nginx.conf" "$WEB_DIR/nginx.conf"
  cp /etc/nginx/mime.types "$WEB_DIR/mime.types"
  rm -rf "$WEB_DIR/conf.d" "$WEB_DIR/snippets"
  cp -r "$ROOT/nginx/conf.d" "$ROOT/nginx/snippets" "$WEB_DIR/"
  # envsubst replaces only the variables listed; Nginx's own $variables stay as they are.
  # shellcheck disable=SC2016
  WEB_APP1_LISTEN=127.0.0.1:$(web_listener_port app-1) \
  WEB_APP2_LISTEN=127.0.0.1:$(web_listener_port app-2) \
  APP1_ADDR=127.0.0.1:$(app_port app-1) \
  APP2_ADDR=127.0.0.1:$(app_port app-2) \
  WEB_STATUS_LISTEN=127.0.0.1:$WEB_STATUS_PORT \
  WEB_TRUSTED_PROXY=127.0.0.1 \
  WEB_STATUS_ALLOW=127.0.0.1 \
  WEB_DOCROOT="$WEB_DOCROOT" \
    envsubst '${WEB_APP1_LISTEN} ${WEB_APP2_LISTEN} ${APP1_ADDR} ${APP2_ADDR} ${WEB_STATUS_LISTEN} ${WEB_TRUSTED_PROXY} ${WEB_STATUS_ALLOW} ${WEB_DOCROOT}' \
    <"$ROOT/nginx/templates/web-1.conf.template" >"$WEB_DIR/sites/web-1.conf"
  web_extract_docroot
}

# The static files Nginx serves are the ones in the jar, taken out whenever it changes.
web_extract_docroot() {
  if [ -d "$WEB_DOCROOT" ] && [ "$WEB_DOCROOT" -nt "$APP_INSTALLED_JAR" ]; then
    return 0
  fi
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && jar xf "$APP_INSTALLED_JAR" BOOT-INF/classes/static)
  rm -rf "$WEB_DOCROOT"
  mv "$tmp/BOOT-INF/classes/static" "$WEB_DOCROOT"
  rm -rf "$tmp"
  chmod -R a+rX "$WEB_DOCROOT"
}

# Natively, Nginx's workers run as the user who runs ./stack (like every other component
# here), so they can read the docroot wherever the project lives. Docker runs them as the
# image's unprivileged nginx user.
WEB_USER="user $(id -un) $(id -gn);"

web_validate() {
  local out
  out=$(nginx -p "$WEB_DIR/" -c "$WEB_DIR/nginx.conf" -e stderr -g "$WEB_USER" -t -q 2>&1) || die "the Nginx configuration is invalid (nothing was started or changed):
$out"
}

web_ready() { http_ok "http://127.0.0.1:$WEB_STATUS_PORT/stub_status"; }

web_up() {
  local pid
  if pid=$(running_pid web-1); then
    info "web-1 already running (pid $pid)"
    return 0
  fi
  ensure_port_free web-1 "$(web_listener_port app-1)"
  ensure_port_free web-1 "$(web_listener_port app-2)"
  ensure_port_free web-1 "$WEB_STATUS_PORT"
  step "starting web-1 (Nginx) on 127.0.0.1:$(web_listener_port app-1) and :$(web_listener_port app-2)"
  setsid nginx -p "$WEB_DIR/" -c "$WEB_DIR/nginx.conf" -e stderr -g "$WEB_USER daemon off;" \
    </dev/null >>"$LOG_DIR/web-1.log" 2>&1 &
  pid=$!
  echo "$pid" >"$(pid_file web-1)"
  wait_for web-1 30 "$pid" web_ready
  info "web-1 ready (pid $pid)"
}

web_down() { stop_component web-1 30; }

web_status_row() {
  component_status_row web-1 "web server" "127.0.0.1:$(web_listener_port app-1),$(web_listener_port app-2)" \
    web_ready "not answering"
}
