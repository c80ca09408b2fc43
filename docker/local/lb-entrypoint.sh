#!/bin/bash
# lb-1's (and in the ha flavour lb-2's) entrypoint in the local image. Without
# KEEPALIVED_PEER it runs the command (HAProxy) as it is. With it (docker/compose.ha.yaml),
# it starts as root: keepalived holds the site's virtual addresses (KEEPALIVED_ADDRESSES,
# each a /24 on the network of the container's own address in that /24) on one of the two
# load balancers, with unicast VRRP to KEEPALIVED_PEER from this container's
# KEEPALIVED_SOURCE, and moves them to the peer when HAProxy here stops answering (the
# configuration of ./stack's own keepalived: haproxy/keepalived.sh). HAProxy runs beside it
# as the haproxy user (with the groups Docker gave, so that it still reads its secrets).
# When either of the two ends, the other is stopped and the container exits, for its
# restart policy to act on.
set -o errexit -o nounset -o pipefail

[ -n "${KEEPALIVED_PEER:-}" ] || exec "$@"

: "${KEEPALIVED_SOURCE:?is not set}" "${KEEPALIVED_PRIORITY:?is not set}" "${KEEPALIVED_ADDRESSES:?is not set}"

# The interface that holds an address of this container in the same /24 as $1.
interface_for() {
  local prefix=${1%.*}.
  ip -o -4 addr show | awk -v prefix="$prefix" 'index($4, prefix) == 1 { print $2; exit }'
}

source_interface=$(interface_for "$KEEPALIVED_SOURCE")
[ -n "$source_interface" ] || { echo "lb-entrypoint: no interface has $KEEPALIVED_SOURCE" >&2; exit 1; }
virtual=()
for address in $KEEPALIVED_ADDRESSES; do
  interface=$(interface_for "$address")
  [ -n "$interface" ] || { echo "lb-entrypoint: no interface is on the network of $address" >&2; exit 1; }
  virtual+=("$address/24 dev $interface")
done

# shellcheck source=haproxy/keepalived.sh
source /usr/local/lib/webstack/keepalived.sh
conf=/run/keepalived.conf
keepalived_site_conf "${LB_NAME:-lb}" "$KEEPALIVED_SOURCE" "$KEEPALIVED_PEER" "$KEEPALIVED_PRIORITY" \
  "$source_interface" "https://$KEEPALIVED_SOURCE:443/readyz" "${KEEPALIVED_ROUTER_ID:-51}" "${virtual[@]}" >"$conf"

# An address a killed container's keepalived held went with its network namespace; one left
# by a keepalived that died alone is removed before this one starts.
for address in $KEEPALIVED_ADDRESSES; do
  ip addr del "$address/24" dev "$(interface_for "$address")" 2>/dev/null || true
done

keepalived --dont-fork --log-console --no-syslog --vrrp -f "$conf" \
  -p /run/keepalived.pid -r /run/keepalived-vrrp.pid &
keepalived_pid=$!
setpriv --reuid=haproxy --regid=haproxy --keep-groups "$@" &
haproxy_pid=$!

stop() { kill -TERM "$haproxy_pid" "$keepalived_pid" 2>/dev/null || true; }
trap 'stop; wait; exit 143' TERM INT

# Until one of the two ends (a zombie still answers kill -0 until wait reaps it).
while kill -0 "$keepalived_pid" 2>/dev/null && kill -0 "$haproxy_pid" 2>/dev/null; do
  wait -n "$keepalived_pid" "$haproxy_pid" || true
done
if kill -0 "$haproxy_pid" 2>/dev/null; then ended=keepalived; else ended=haproxy; fi
echo "lb-entrypoint: $ended ended; stopping the other" >&2
stop
wait || true
exit 1
