# shellcheck shell=bash
# web-1: Nginx, one listener per app server, static files from a docroot extracted from
# the application jar.

# The configuration (./stack's) is in WEB_DIR; Nginx's prefix, where it writes its PID
# file and temp files (nginx.conf names them relative to the prefix, includes relative to
# the configuration), is WEB_PREFIX, web-1's account's.
WEB_DIR=$STATE_DIR/nginx
WEB_PREFIX=$WEB_DIR/var
WEB_DOCROOT=$STATE_DIR/docroot
WEB_STATUS_PORT=$(port 8090)

web_listener_port() { port $((8080 + $(app_index "$1"))); }

# Copies the configuration into the prefix directory and renders the listeners.
web_render() {
  mkdir -p "$WEB_DIR/sites" "$WEB_PREFIX"
  component_owns web-1 "$WEB_PREFIX"
  cp "$ROOT/nginx/nginx.conf" "$WEB_DIR/nginx.conf"
  cp /etc/nginx/mime.types "$WEB_DIR/mime.types"
  rm -rf "$WEB_DIR/conf.d" "$WEB_DIR/snippets"
  cp -r "$ROOT/nginx/conf.d" "$ROOT/nginx/snippets" "$WEB_DIR/"
  # envsubst replaces only the variables listed; Nginx's own $variables stay as they are.
  # stub_status answers the app servers and monitoring: loopback, or the app network.
  local web status_allow=127.0.0.1
  web=$(component_address web-1)
  [ "$STACK_MODE" != hosts ] || status_allow=$(network_subnet app)
  # shellcheck disable=SC2016
  WEB_APP1_LISTEN=$web:$(web_listener_port app-1) \
  WEB_APP2_LISTEN=$web:$(web_listener_port app-2) \
  APP1_ADDR=$(component_address app-1):$(app_port app-1) \
  APP2_ADDR=$(component_address app-2):$(app_port app-2) \
  WEB_STATUS_LISTEN=$web:$WEB_STATUS_PORT \
  WEB_TRUSTED_PROXY=$(component_address lb-1 app) \
  WEB_STATUS_ALLOW=$status_allow \
  WEB_DOCROOT="$WEB_DOCROOT" \
    envsubst '${WEB_APP1_LISTEN} ${WEB_APP2_LISTEN} ${APP1_ADDR} ${APP2_ADDR} ${WEB_STATUS_LISTEN} ${WEB_TRUSTED_PROXY} ${WEB_STATUS_ALLOW} ${WEB_DOCROOT}' \
    <"$ROOT/nginx/templates/web-1.conf.template" >"$WEB_DIR/sites/web-1.conf"
  web_extract_docroot
}

# The static files Nginx serves are the ones in the jar, taken out whenever it changes.
# A new jar's files are added to those there, each renamed into place (a reader never sees
# half a file), and the older ones stay: during a rolling deploy the pages of the release
# before still ask for their own (content-hashed) files.
web_extract_docroot() {
  if [ -d "$WEB_DOCROOT" ] && [ "$WEB_DOCROOT" -nt "$APP_INSTALLED_JAR" ]; then
    return 0
  fi
  local tmp file
  tmp=$(mktemp -d)
  (cd "$tmp" && jar xf "$APP_INSTALLED_JAR" BOOT-INF/classes/static)
  if [ ! -d "$WEB_DOCROOT" ]; then
    mv "$tmp/BOOT-INF/classes/static" "$WEB_DOCROOT"
  else
    (cd "$tmp/BOOT-INF/classes/static" && find . -type d -exec mkdir -p "$WEB_DOCROOT/{}" \;)
    while IFS= read -r -d '' file; do
      cp "$tmp/BOOT-INF/classes/static/$file" "$WEB_DOCROOT/$file.new"
      mv -f "$WEB_DOCROOT/$file.new" "$WEB_DOCROOT/$file"
    done < <(cd "$tmp/BOOT-INF/classes/static" && find . -type f -print0)
    touch "$WEB_DOCROOT"
  fi
  rm -rf "$tmp"
  chmod -R a+rX "$WEB_DOCROOT"
}

# Natively the whole of Nginx, master included, runs as web-1's account (www-data when
# ./stack runs as root, else whoever runs it): its ports are above 1024, and a master that
# is not root needs no `user` directive (it would be ignored). Docker's image starts the
# master as root and its workers as the image's unprivileged nginx user.
WEB_NGINX=(nginx -p "$WEB_PREFIX/" -c "$WEB_DIR/nginx.conf" -e stderr)

web_validate() {
  local out
  # Checked as the account that runs it, so that what it cannot read fails here; its
  # standard output (the access log, /dev/stdout) is /dev/null, which any account may open.
  out=$(as_component web-1 "${WEB_NGINX[@]}" -t -q 2>&1 >/dev/null) || die "the Nginx configuration is invalid (nothing was started or changed):
$out"
}

web_ready() { http_ok_from web-1 "http://$(component_address web-1):$WEB_STATUS_PORT/stub_status"; }

web_up() {
  local pid
  if pid=$(running_pid web-1); then
    info "web-1 already running (pid $pid)"
    return 0
  fi
  ensure_port_free web-1 "$(web_listener_port app-1)"
  ensure_port_free web-1 "$(web_listener_port app-2)"
  ensure_port_free web-1 "$WEB_STATUS_PORT"
  step "starting web-1 (Nginx) on $(component_address web-1):$(web_listener_port app-1) and :$(web_listener_port app-2)"
  spawn web-1 "${WEB_NGINX[@]}" -g "daemon off;"
  pid=$(cat "$(pid_file web-1)")
  wait_for web-1 30 "$pid" web_ready
  info "web-1 ready (pid $pid)"
}

web_down() { stop_component web-1 30; }

web_status_row() {
  component_status_row web-1 "web server" "$(component_address web-1):$(web_listener_port app-1),$(web_listener_port app-2)" \
    web_ready "not answering"
}
