# shellcheck shell=bash
# The Docker engine for the tests of the Docker path (sourced by ./stack): Debian's dockerd,
# started when none answers and stopped afterwards only if ./stack started it.

# shellcheck disable=SC2034 # used by ./stack test
DOCKER_PACKAGES=(docker.io docker-compose debootstrap)

# Starts dockerd unless a Docker engine already answers; records its PID when it starts one.
docker_engine_up() {
  if docker info >/dev/null 2>&1; then
    info "a Docker engine is running (not started by ./stack)"
    return 0
  fi
  ensure_dirs
  [ -n "$AS_ROOT" ] || die "starting a Docker engine needs root (or start one yourself)"
  step "starting the Docker engine (dockerd)"
  setsid dockerd </dev/null >>"$LOG_DIR/dockerd.log" 2>&1 &
  echo "$!" >"$(pid_file dockerd)"
  wait_for dockerd 60 "$!" docker info
  info "dockerd ready (pid $(cat "$(pid_file dockerd)"), log $LOG_DIR/dockerd.log)"
}

# Stops the dockerd that docker_engine_up started, if it did; its containers stop with it.
docker_engine_down() {
  stop_component dockerd 60
}
