# shellcheck shell=bash
# The application servers: the same jar, one JVM per app server.

APP_JAR=$ROOT/target/webstack.jar
# A copy of the jar in the stack's state: web-1 takes its static files from it, and it
# says which release the app servers run.
APP_INSTALLED_JAR=$STATE_DIR/app/webstack.jar
# The app servers run a release: the jar extracted (classes in plain jars, which class
# data sharing needs, and which load faster than nested ones) with the CDS archive of a
# training run, in a folder named after the jar's checksum. A release is made once per
# build, like the jar itself, and never changed: a rebuild makes a new one, and never
# pulls a file from under a running JVM.
APP_RELEASES=$ROOT/target/releases
# The JVM of an app server: C1 alone (-XX:TieredStopAtLevel=1), a heap that starts small
# and gives memory back, the serial collector (two cores, a small heap), small thread
# stacks, a bounded code cache, and the native memory freed by the compiler handed back
# to the system every 5s; two malloc arenas instead of one per core and thread
# (MALLOC_ARENA_MAX in app_start). The compiler was chosen by the first minutes after
# ./stack up, measured on two cores (the list page of 20 posts through the chain, req/s
# in 0-10 s, 10-30 s and 30-60 s after up returned, then after 3 minutes of load):
# tiered compilation 41, 91, 101, then 265 and still rising, with up in 40 s; C1 alone
# 112, 218, 255, then 230-250, with up in 20 s. C2 alone, the former choice, left the
# first minute interpreted. Under full load for longer than about 3 minutes tiered would
# end higher; the first minutes were chosen over that.
# docker/Dockerfile starts the JVM with the same options.
APP_JAVA_OPTS=(-XX:TieredStopAtLevel=1 -Xms64m -Xmx256m -XX:+UseSerialGC -XX:MinHeapFreeRatio=10
  -XX:MaxHeapFreeRatio=30 -Xss512k -XX:ReservedCodeCacheSize=64m -XX:TrimNativeHeapInterval=5000)
# shellcheck disable=SC2034 # used by ./stack
APPS=(app-1 app-2)

app_index() { echo "${1#app-}"; }
app_port() { port $((9000 + $(app_index "$1"))); }
app_management_port() { port $((9100 + $(app_index "$1"))); }

# A jar given to ./stack deploy, deployed as it is instead of the one built here.
APP_JAR_GIVEN=

# Builds the jar when it is missing or older than any source file, and its release.
app_build() {
  if [ -z "$APP_JAR_GIVEN" ] && { [ ! -f "$APP_JAR" ] \
    || [ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" "$ROOT/README.md" -newer "$APP_JAR" -print -quit)" ]; }; then
    step "building the application jar"
    (cd "$ROOT" && ./mvnw -B -q -DskipTests package) || die "the build failed"
  fi
  app_release "$APP_JAR" >/dev/null
}

# Makes the release of a jar unless it exists, and prints its folder. The training run
# starts the application until its context is refreshed (every singleton made, nothing
# started: no port opened, no database asked, Flyway off) and archives the classes it
# loaded (Spring Boot's reference, "Class Data Sharing"); an app server started with the
# archive maps them instead of loading them, and starts about a third sooner.
app_release() {
  local jar=$1 dir tmp secret
  dir="$APP_RELEASES/$(sha256sum "$jar" | cut -c1-16)"
  if [ -f "$dir/webstack.jsa" ]; then
    echo "$dir"
    return 0
  fi
  mkdir -p "$APP_RELEASES"
  tmp=$(mktemp -d "$APP_RELEASES/.new.XXXXXX")
  step "making the release: the jar extracted, and a CDS training run (once per build)" >&2
  # The extracted jar is named after the one extracted: a copy named webstack.jar (a jar
  # given to ./stack deploy may be named anything).
  cp "$jar" "$tmp/webstack.jar"
  java -Djarmode=tools -jar "$tmp/webstack.jar" extract --destination "$tmp/release" >"$tmp/training.log" 2>&1 \
    || { cat "$tmp/training.log" >&2; rm -rf "$tmp"; die "could not extract $jar"; }
  # The application refuses to start without its secrets: the training run gets
  # stand-ins, which it reads and forgets.
  mkdir "$tmp/secrets"
  for secret in admin-password session-key monitoring-password alertmanager-password lb-stats-password db-app-password \
    db-monitor-password db-migrations-password; do
    printf 'cds-training-stand-in\n' >"$tmp/secrets/$secret"
  done
  # Its databases are a port where nothing listens: it must not touch a running stack's.
  if ! (cd "$tmp" && WEBSTACK_INSTANCE_NAME=cds-training SERVER_PORT=0 MANAGEMENT_SERVER_PORT=0 \
    WEBSTACK_DB_PRIMARY_PORT=1 WEBSTACK_DB_REPLICA_PORT=1 \
    WEBSTACK_SECRETS_DIR="$tmp/secrets" WEBSTACK_LOG_DIR="$tmp" SPRING_FLYWAY_ENABLED=false \
    timeout 300 java "${APP_JAVA_OPTS[@]}" -XX:ArchiveClassesAtExit="$tmp/release/webstack.jsa" \
    -Dspring.context.exit=onRefresh -jar "$tmp/release/webstack.jar" >>"$tmp/training.log" 2>&1) \
    || [ ! -s "$tmp/release/webstack.jsa" ]; then
    cat "$tmp/training.log" >&2
    rm -rf "$tmp"
    die "the CDS training run failed"
  fi
  chmod -R a+rX "$tmp/release"
  # Another ./stack may have made the same release meanwhile: either is good.
  mv -T "$tmp/release" "$dir" 2>/dev/null || [ -f "$dir/webstack.jsa" ] || die "could not install $dir"
  rm -rf "$tmp"
  # Each release takes about 200 MB: the older ones go, but the newest three stay (a stack
  # may still run one of them).
  find "$APP_RELEASES" -mindepth 1 -maxdepth 1 -type d ! -name '.new.*' -printf '%T@ %p\n' | sort -rn \
    | tail -n +4 | cut -d' ' -f2- | xargs -r rm -rf
  echo "$dir"
}

app_install() {
  if [ -f "$APP_INSTALLED_JAR" ] && cmp -s "$APP_JAR" "$APP_INSTALLED_JAR"; then
    return 0
  fi
  mkdir -p "$(dirname "$APP_INSTALLED_JAR")"
  cp "$APP_JAR" "$APP_INSTALLED_JAR.new"
  mv -f "$APP_INSTALLED_JAR.new" "$APP_INSTALLED_JAR"
}

app_ready() {
  http_ok_from "$1" "http://$(component_address "$1"):$(app_management_port "$1")/actuator/health/readiness"
}

# Starts an app server in the background without waiting; app_wait waits for it. A Spring
# profile may follow the name (./stack bench runs its baselines that way).
app_start() {
  local name=$1 profile=${2:-} pid profile_env=() release
  if pid=$(running_pid "$name"); then
    info "$name already running (pid $pid)"
    return 0
  fi
  ensure_port_free "$name" "$(app_port "$name")"
  ensure_port_free "$name" "$(app_management_port "$name")"
  # Made by up already; again here if target/ was cleaned since.
  release=$(app_release "$APP_INSTALLED_JAR")
  step "starting $name${profile:+ (profile $profile)} on $(component_address "$name"):$(app_port "$name") (management $(app_management_port "$name"))"
  [ -z "$profile" ] || profile_env=(SPRING_PROFILES_ACTIVE="$profile")
  # Tomcat writes its access logs itself (the management port's too), as the app
  # server's account, into files ./stack makes for it in its own log directory.
  local access_logs=("$LOG_DIR/$name-access.log" "$LOG_DIR/management_$name-access.log")
  touch "${access_logs[@]}"
  component_owns "$name" "${access_logs[@]}"
  # Every address it listens on or reaches: loopback, or the hosts' (Tomcat trusts
  # X-Forwarded-For from the web servers alone: a regular expression of their addresses).
  local address web trusted='' other
  address=$(component_address "$name")
  web=$(component_address web-1)
  for other in "${WEBS[@]}"; do trusted+="|$(component_address "$other")"; done
  trusted=${trusted#|}
  local ha_env=()
  [ -z "$STACK_HA" ] || ha_env=(WEBSTACK_SITE_HOST="$(site_virtual_address app)" SPRING_APPLICATION_JSON="$(app_ha_json)")
  spawn "$name" env "${profile_env[@]}" "${ha_env[@]}" \
    WEBSTACK_INSTANCE_NAME="$name" \
    WEBSTACK_BIND_ADDRESS="$address" \
    WEBSTACK_MANAGEMENT_ADDRESS="$address" \
    WEBSTACK_TRUSTED_PROXIES="${trusted//./\\.}" \
    SERVER_PORT="$(app_port "$name")" \
    MANAGEMENT_SERVER_PORT="$(app_management_port "$name")" \
    WEBSTACK_DB_PRIMARY_HOST="$(component_address db-1)" \
    WEBSTACK_DB_PRIMARY_PORT="$DB_PRIMARY_PORT" \
    WEBSTACK_DB_REPLICA_HOST="$(component_address db-2)" \
    WEBSTACK_DB_REPLICA_PORT="$DB_REPLICA_PORT" \
    WEBSTACK_LB_HOST="$(component_address lb-1 app)" \
    WEBSTACK_WEB_HOST="$web" \
    WEBSTACK_PROMETHEUS_HOST="$(component_address prometheus)" \
    WEBSTACK_APP1_HOST="$(component_address app-1)" \
    WEBSTACK_APP2_HOST="$(component_address app-2)" \
    WEBSTACK_ALERTMANAGER_URL="$(alertmanager_url)" \
    WEBSTACK_SECRETS_DIR="$SECRETS_DIR" \
    WEBSTACK_LOG_DIR="$LOG_DIR" \
    WEBSTACK_LB_STATS_PORT="$LB_STATS_PORT" \
    WEBSTACK_LB_HTTPS_PORT="$LB_HTTPS_PORT" \
    WEBSTACK_LB_HTTP_PORT="$LB_HTTP_PORT" \
    WEBSTACK_WEB_STATUS_PORT="$WEB_STATUS_PORT" \
    WEBSTACK_PROMETHEUS_PORT="$PROMETHEUS_PORT" \
    WEBSTACK_APP1_MANAGEMENT_PORT="$(app_management_port app-1)" \
    WEBSTACK_APP2_MANAGEMENT_PORT="$(app_management_port app-2)" \
    WEBSTACK_FIREWALL_TABLES_FILE="$(firewall_record)" \
    MALLOC_ARENA_MAX=2 \
    java "${APP_JAVA_OPTS[@]}" -XX:SharedArchiveFile="$release/webstack.jsa" -jar "$release/webstack.jar"
}

# The ha mode's settings: the database cluster's nodes, which the routing chooses its
# writer and readers from, and the second load balancer and web server, for the dashboard.
app_ha_json() {
  local node nodes=''
  for node in "${DBS[@]}"; do
    nodes+=",\"$node\":\"jdbc:mysql://$(component_address "$node"):$(db_port "$node")/$DB_NAME\""
  done
  printf '{"webstack":{"datasource":{"cluster":{"nodes":{%s}}},"infra":{%s,%s}}}' "${nodes#,}" \
    "\"load-balancers\":{\"lb-2\":\"http://$(component_address lb-2 app):$LB_STATS_PORT/\"}" \
    "\"web-servers\":{\"web-2\":\"http://$(component_address web-2):$WEB_STATUS_PORT/stub_status\"}"
}

app_wait() {
  local name=$1 pid
  pid=$(running_pid "$name") || die "$name is not running; see ./stack logs $name"
  # An app server took 100 to 130 s to start on a two-core machine running four stacks at
  # once: the default wait is twice that, so that a busy machine is not a failed start
  # (WEBSTACK_APP_START_TIMEOUT changes it).
  wait_for "$name" "${WEBSTACK_APP_START_TIMEOUT:-240}" "$pid" app_ready "$name"
  info "$name ready (pid $pid)"
}

app_up() {
  app_start "$1"
  app_wait "$1"
}

app_down() { stop_component "$1" 40; }

# The release an app server runs (the folder of the jar its JVM was started with), or
# nothing when it does not run.
app_running_release() {
  local pid
  pid=$(running_pid "$1") || return 0
  tr '\0' '\n' <"/proc/$pid/cmdline" | sed -n 's|/webstack\.jar$||p' | head -n 1
}

# ./stack deploy [jar] [--all]: the jar built from the sources (or the one given) onto the
# app servers one at a time, each drained through HAProxy, stopped gracefully, started on
# the new release and back in rotation once HAProxy's checks see it UP before the next
# goes: the other serves meanwhile, and no request fails. An app server that runs the
# release already is left alone, unless --all (a rolling restart). The schema migrations
# of the new release run when its first app server starts, while the other still runs the
# old one: a release's migrations must leave the schema usable by the release before it
# (add, never drop or rename in the same release; Flyway's default ignores a migration
# newer than the running code, so the old release starts against it too).
cmd_deploy() {
  local arg all='' app release
  for arg in "$@"; do
    case "$arg" in
      --all) all=1 ;;
      -*) die "usage: ./stack deploy [jar] [--all]" ;;
      *)
        [ -z "$APP_JAR_GIVEN" ] || die "usage: ./stack deploy [jar] [--all]"
        [ -f "$arg" ] || die "no such jar: $arg"
        # grep reads the whole listing (no -q): jar would meet a closed pipe otherwise.
        jar tf "$arg" 2>/dev/null | grep -x 'BOOT-INF/classes/dev/webstack/WebstackApplication.class' >/dev/null \
          || die "$arg is not a Webstack application jar"
        APP_JAR=$(realpath "$arg")
        APP_JAR_GIVEN=1 ;;
    esac
  done
  running_pid lb-1 >/dev/null || die "the stack is not running; ./stack up first"
  for app in "${APPS[@]}"; do
    running_pid "$app" >/dev/null || die "$app is not running; ./stack up first"
  done
  prepare
  release=$(app_release "$APP_INSTALLED_JAR")
  step "deploying release ${release##*/} onto ${APPS[*]}, one at a time"
  for app in "${APPS[@]}"; do
    if [ -z "$all" ] && [ "$(app_running_release "$app")" = "$release" ]; then
      info "$app runs release ${release##*/} already"
      continue
    fi
    lb_drain "$app"
    app_down "$app"
    app_up "$app"
    lb_undrain "$app"
  done
  info "every app server runs release ${release##*/}"
}

app_status_row() {
  component_status_row "$1" app "$(component_address "$1"):$(app_port "$1")" app_ready "not ready"
}
