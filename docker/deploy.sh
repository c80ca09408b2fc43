#!/usr/bin/env bash
# A rolling deploy of the Compose stack's app servers, as ./stack deploy does natively:
# the app image built again (from the sources, or target/webstack.jar with the local
# images), then each app server in turn drained through HAProxy (no new requests; those
# in flight finish), replaced by a container of the new image, and put back in rotation
# once it is healthy and HAProxy's checks see it UP, before the next goes: the other
# serves meanwhile, and no request fails. An app server whose container runs the image
# already is left alone, unless --all (a rolling restart). The new release's migrations
# run when its first app server starts, while the other still runs the old release (see
# ./stack deploy: a release's migrations must leave the schema usable by the one before).
#
# Its arguments are Compose's own options (default: -f docker/compose.yaml), and --all:
#
#   docker/deploy.sh -f docker/compose.yaml -f docker/compose.local.yaml
#
# HAProxy's Runtime API is reached inside lb-1's container, on its loopback address
# (compose.yaml's LB_RUNTIME_SOCKET), with bash's /dev/tcp: nothing outside lb-1 can.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

APPS=(app-1 app-2)
RUNTIME_PORT=9999

step() { printf '==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() {
  printf 'docker/deploy.sh: %s\n' "$*" >&2
  exit 1
}

all=''
options=()
for arg in "$@"; do
  case "$arg" in
    --all) all=1 ;;
    -h | --help)
      sed -n '2,17s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
      exit 0 ;;
    *) options+=("$arg") ;;
  esac
done
[ ${#options[@]} -gt 0 ] || options=(-f docker/compose.yaml)

if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi
compose() { "${COMPOSE[@]}" "${options[@]}" "$@"; }

# One command to HAProxy's Runtime API, and its answer.
runtime() {
  # shellcheck disable=SC2016 # expanded by lb-1's bash, from its arguments
  compose exec -T lb-1 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "%s\n" "$2" >&3 && cat <&3' \
    runtime "$RUNTIME_PORT" "$1"
}

# A column of an app server's row in HAProxy's stats (scur, status, ...).
server_field() {
  runtime "show stat" | awk -F, -v server="$1" -v field="$2" '
    NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++) if ($i == field) col = i; next }
    $1 == "app_servers" && $2 == server { print $col }'
}

idle() { [ "$(server_field "$1" scur)" = 0 ]; }
in_rotation() { [[ "$(server_field "$1" status)" == UP* ]]; }
container() { compose ps -q "$1"; }
healthy() { [ "$(docker inspect -f '{{.State.Health.Status}}' "$(container "$1")" 2>/dev/null)" = healthy ]; }

# Whether an app server's container runs the image its service names now (just built).
runs_built_image() {
  local id
  id=$(container "$1")
  [ "$(docker inspect -f '{{.Image}}' "$id")" = \
    "$(docker image inspect -f '{{.Id}}' "$(docker inspect -f '{{.Config.Image}}' "$id")")" ]
}

wait_until() {
  local what=$1 timeout=$2 deadline
  shift 2
  deadline=$((SECONDS + timeout))
  until "$@" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || die "$what: not within ${timeout}s"
    sleep 0.5
  done
}

for app in "${APPS[@]}"; do
  [ -n "$(container "$app")" ] || die "$app is not running; start the stack first (${COMPOSE[*]} ${options[*]} up -d)"
done
[ -n "$(container lb-1)" ] || die "lb-1 is not running; start the stack first"
[[ "$(runtime "show info" 2>/dev/null)" == *"Name: HAProxy"* ]] \
  || die "HAProxy's Runtime API does not answer inside lb-1 (port $RUNTIME_PORT)"

step "building the app image"
compose build "${APPS[@]}"
step "deploying onto ${APPS[*]}, one at a time"
for app in "${APPS[@]}"; do
  if [ -z "$all" ] && runs_built_image "$app"; then
    info "$app runs the image already"
    continue
  fi
  step "draining $app in HAProxy (no new requests; in-flight ones finish)"
  runtime "set server app_servers/$app state drain" >/dev/null
  wait_until "$app to finish its in-flight requests" 30 idle "$app"
  step "replacing $app's container"
  compose up -d --no-deps --force-recreate "$app"
  wait_until "$app healthy" 240 healthy "$app"
  runtime "set server app_servers/$app state ready" >/dev/null
  wait_until "HAProxy's checks of $app" 30 in_rotation "$app"
  info "$app back in rotation"
done
info "every app server runs the image just built"
