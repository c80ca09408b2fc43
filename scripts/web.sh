# shellcheck shell=bash
# The web servers: Nginx, one listener per app server, static files from a docroot
# extracted from the application jar. web-1 alone; web-2 beside it in the ha mode, the
# same configuration.

WEBS=(web-1)
[ -z "$STACK_HA" ] || WEBS=(web-1 web-2)
# A web server's configuration (./stack's) is in its directory; Nginx's prefix, where it
# writes its PID file and temp files (nginx.conf names them relative to the prefix,
# includes relative to the configuration), is var/ in it, the web server's account's.
web_dir() { if [ "$1" = web-1 ]; then echo "$STATE_DIR/nginx"; else echo "$STATE_DIR/nginx-$1"; fi; }
# shellcheck disable=SC2034 # web-1's, which ./stack bench changes (scripts/bench.sh)
WEB_DIR=$(web_dir web-1)
WEB_DOCROOT=$STATE_DIR/docroot
WEB_STATUS_PORT=$(port 8090)

web_listener_port() { port $((8080 + $(app_index "$1"))); }

# Who may set the client's address for a web server: the load balancers' addresses on app
# (lb-1's, or lb-1's and lb-2's: .10 and .11, one /31), or loopback.
web_trusted_proxy() {
  if [ -n "$STACK_HA" ]; then echo "$(network_prefix app).${HOST_OCTET[lb-1]}/31"; else component_address lb-1 app; fi
}

# Copies the configuration into each web server's directory and renders its listeners.
web_render() {
  local name dir web status_allow=127.0.0.1
  [ "$STACK_MODE" != hosts ] || status_allow=$(network_subnet app)
  for name in "${WEBS[@]}"; do
    dir=$(web_dir "$name")
    mkdir -p "$dir/sites" "$dir/var"
    component_owns "$name" "$dir/var"
    cp "$ROOT/nginx/nginx.conf" "$dir/nginx.conf"
    cp /etc/nginx/mime.types "$dir/mime.types"
    rm -rf "$dir/conf.d" "$dir/snippets"
    cp -r "$ROOT/nginx/conf.d" "$ROOT/nginx/snippets" "$dir/"
    # envsubst replaces only the variables listed; Nginx's own $variables stay as they are.
    # stub_status answers the app servers and monitoring: loopback, or the app network.
    web=$(component_address "$name")
    # shellcheck disable=SC2016
    WEB_NAME=$name \
    WEB_APP1_LISTEN=$web:$(web_listener_port app-1) \
    WEB_APP2_LISTEN=$web:$(web_listener_port app-2) \
    APP1_ADDR=$(component_address app-1):$(app_port app-1) \
    APP2_ADDR=$(component_address app-2):$(app_port app-2) \
    WEB_STATUS_LISTEN=$web:$WEB_STATUS_PORT \
    WEB_TRUSTED_PROXY=$(web_trusted_proxy) \
    WEB_STATUS_ALLOW=$status_allow \
    WEB_DOCROOT="$WEB_DOCROOT" \
      envsubst '${WEB_NAME} ${WEB_APP1_LISTEN} ${WEB_APP2_LISTEN} ${APP1_ADDR} ${APP2_ADDR} ${WEB_STATUS_LISTEN} ${WEB_TRUSTED_PROXY} ${WEB_STATUS_ALLOW} ${WEB_DOCROOT}' \
      <"$ROOT/nginx/templates/web-1.conf.template" >"$dir/sites/web-1.conf"
  done
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

# Natively the whole of Nginx, master included, runs as the web server's account
# (www-data when ./stack runs as root, else whoever runs it): its ports are above 1024,
# and a master that is not root needs no `user` directive (it would be ignored). Docker's
# image starts the master as root and its workers as the image's unprivileged nginx user.
web_nginx() {
  local dir
  dir=$(web_dir "$1")
  WEB_NGINX=(nginx -p "$dir/var/" -c "$dir/nginx.conf" -e stderr)
}

web_validate() {
  local name out
  for name in "${WEBS[@]}"; do
    web_nginx "$name"
    # Checked as the account that runs it, so that what it cannot read fails here; its
    # standard output (the access log, /dev/stdout) is /dev/null, which any account may open.
    out=$(as_component "$name" "${WEB_NGINX[@]}" -t -q 2>&1 >/dev/null) \
      || die "the Nginx configuration of $name is invalid (nothing was started or changed):
$out"
  done
}

web_ready() { http_ok_from "$1" "http://$(component_address "$1"):$WEB_STATUS_PORT/stub_status"; }

web_up() {
  local name pid
  for name in "${WEBS[@]}"; do
    already_running "$name" && continue
    ensure_port_free "$name" "$(web_listener_port app-1)"
    ensure_port_free "$name" "$(web_listener_port app-2)"
    ensure_port_free "$name" "$WEB_STATUS_PORT"
    step "starting $name (Nginx) on $(component_address "$name"):$(web_listener_port app-1) and :$(web_listener_port app-2)"
    web_nginx "$name"
    spawn "$name" "${WEB_NGINX[@]}" -g "daemon off;"
    pid=$(cat "$(pid_file "$name")")
    wait_for "$name" 30 "$pid" web_ready "$name"
    info "$name ready (pid $pid)"
  done
}

web_down() {
  local name
  for name in "${WEBS[@]}"; do stop_component "$name" 30; done
}

web_status_rows() {
  local name
  for name in "${WEBS[@]}"; do
    component_status_row "$name" "web server" \
      "$(component_address "$name"):$(web_listener_port app-1),$(web_listener_port app-2)" web_ready "not answering"
  done
}
