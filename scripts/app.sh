# shellcheck shell=bash
# The application servers: the same jar, one JVM per app server.

APP_JAR=$ROOT/target/webstack.jar
# app-N listens on APP_PORT_BASE+N and its management port on MANAGEMENT_PORT_BASE+N.
APP_PORT_BASE=${WEBSTACK_APP_PORT_BASE:-9000}
MANAGEMENT_PORT_BASE=${WEBSTACK_MANAGEMENT_PORT_BASE:-9100}

app_index() { echo "${1#app-}"; }
app_port() { echo $((APP_PORT_BASE + $(app_index "$1"))); }
app_management_port() { echo $((MANAGEMENT_PORT_BASE + $(app_index "$1"))); }

# Builds the jar when it is missing or older than any source file.
app_build() {
  if [ -f "$APP_JAR" ] && [ -z "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$APP_JAR" -print -quit)" ]; then
    return 0
  fi
  ensure_packages maven
  step "building the application jar"
  (cd "$ROOT" && ./mvnw -B -q -ntp -DskipTests package) || die "the build failed"
}

app_health() {
  curl -fsS --max-time 2 "http://127.0.0.1:$(app_management_port "$1")/actuator/health/readiness"
}

app_up() {
  local name=$1 pid
  ensure_packages curl
  ensure_dirs
  ensure_secret admin-password
  ensure_secret session-key
  if pid=$(running_pid "$name"); then
    info "$name already running (pid $pid)"
    return 0
  fi
  app_build
  step "starting $name on 127.0.0.1:$(app_port "$name") (management $(app_management_port "$name"))"
  WEBSTACK_INSTANCE_NAME=$name \
  SERVER_PORT=$(app_port "$name") \
  MANAGEMENT_SERVER_PORT=$(app_management_port "$name") \
  WEBSTACK_DB_PRIMARY_PORT=$DB_PRIMARY_PORT \
  WEBSTACK_DB_REPLICA_PORT=$DB_REPLICA_PORT \
  WEBSTACK_SECRETS_DIR=$SECRETS_DIR \
    setsid java -Xmx256m -jar "$APP_JAR" </dev/null >>"$LOG_DIR/$name.log" 2>&1 &
  pid=$!
  echo "$pid" >"$(pid_file "$name")"
  wait_for "$name" 120 "$pid" app_health "$name"
  info "$name ready (pid $pid)"
}

app_down() { stop_component "$1" 40; }

app_status_row() {
  local name=$1 pid state
  if pid=$(running_pid "$name"); then
    if app_health "$name" >/dev/null 2>&1; then state=UP; else state="DOWN (not ready)"; fi
  else
    pid=-
    state=DOWN
  fi
  status_row "$name" app "127.0.0.1:$(app_port "$name")" "$pid" "$state"
}
