# shellcheck shell=bash
# The application servers: the same jar, one JVM per app server.

APP_JAR=$ROOT/target/webstack.jar
# The app servers run a copy, so that a rebuild of target/ never pulls the jar from
# under a running JVM; a new copy is renamed into place, and a JVM still running the old
# one keeps reading the old file.
APP_INSTALLED_JAR=$STATE_DIR/app/webstack.jar
# The JVM of an app server: C2 alone, without tiered compilation (on two cores the
# C1-then-C2 pipeline competes with the load for a minute or more before the app runs
# at full speed, and keeps three times the compiled code: ./stack bench measured about
# 50 MB less resident and a faster warm-up, for three seconds more at start), a heap that
# starts small and gives memory back, the serial collector (two cores, a small heap),
# small thread stacks, a bounded code cache, two malloc arenas instead of one per core
# and thread, and the native memory freed by the compiler handed back to the system every
# 5s. docker/Dockerfile starts the JVM with the same options.
APP_JAVA_OPTS=(-XX:-TieredCompilation -Xms64m -Xmx256m -XX:+UseSerialGC -XX:MinHeapFreeRatio=10
  -XX:MaxHeapFreeRatio=30 -Xss512k -XX:ReservedCodeCacheSize=64m -XX:TrimNativeHeapInterval=5000)
# shellcheck disable=SC2034 # used by ./stack
APPS=(app-1 app-2)

app_index() { echo "${1#app-}"; }
app_port() { port $((9000 + $(app_index "$1"))); }
app_management_port() { port $((9100 + $(app_index "$1"))); }

# Builds the jar when it is missing or older than any source file.
app_build() {
  if [ -f "$APP_JAR" ] && [ -z "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$APP_JAR" -print -quit)" ]; then
    return 0
  fi
  step "building the application jar"
  (cd "$ROOT" && ./mvnw -B -q -DskipTests package) || die "the build failed"
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
  http_ok "http://127.0.0.1:$(app_management_port "$1")/actuator/health/readiness"
}

# Starts an app server in the background without waiting; app_wait waits for it. A Spring
# profile may follow the name (./stack bench runs its baselines that way).
app_start() {
  local name=$1 profile=${2:-} pid profile_env=()
  if pid=$(running_pid "$name"); then
    info "$name already running (pid $pid)"
    return 0
  fi
  ensure_port_free "$name" "$(app_port "$name")"
  ensure_port_free "$name" "$(app_management_port "$name")"
  step "starting $name${profile:+ (profile $profile)} on 127.0.0.1:$(app_port "$name") (management $(app_management_port "$name"))"
  [ -z "$profile" ] || profile_env=(SPRING_PROFILES_ACTIVE="$profile")
  # Tomcat writes its access logs itself (the management port's too), as the app
  # server's account, into files ./stack makes for it in its own log directory.
  local access_logs=("$LOG_DIR/$name-access.log" "$LOG_DIR/management_$name-access.log")
  touch "${access_logs[@]}"
  component_owns "$name" "${access_logs[@]}"
  spawn "$name" env "${profile_env[@]}" \
    WEBSTACK_INSTANCE_NAME="$name" \
    SERVER_PORT="$(app_port "$name")" \
    MANAGEMENT_SERVER_PORT="$(app_management_port "$name")" \
    WEBSTACK_DB_PRIMARY_PORT="$DB_PRIMARY_PORT" \
    WEBSTACK_DB_REPLICA_PORT="$DB_REPLICA_PORT" \
    WEBSTACK_SECRETS_DIR="$SECRETS_DIR" \
    WEBSTACK_LOG_DIR="$LOG_DIR" \
    WEBSTACK_LB_STATS_PORT="$LB_STATS_PORT" \
    WEBSTACK_LB_HTTPS_PORT="$LB_HTTPS_PORT" \
    WEBSTACK_LB_HTTP_PORT="$LB_HTTP_PORT" \
    WEBSTACK_WEB_STATUS_PORT="$WEB_STATUS_PORT" \
    WEBSTACK_PROMETHEUS_PORT="$PROMETHEUS_PORT" \
    WEBSTACK_APP1_MANAGEMENT_PORT="$(app_management_port app-1)" \
    WEBSTACK_APP2_MANAGEMENT_PORT="$(app_management_port app-2)" \
    WEBSTACK_FIREWALL_TABLES_FILE="$FIREWALL_TABLES_FILE" \
    MALLOC_ARENA_MAX=2 \
    java "${APP_JAVA_OPTS[@]}" -jar "$APP_INSTALLED_JAR"
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

app_status_row() {
  component_status_row "$1" app "127.0.0.1:$(app_port "$1")" app_ready "not ready"
}
