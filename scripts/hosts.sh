# shellcheck shell=bash
# The hosts mode's network: each host a network namespace with an address of its own,
# joined by the Compose file's three networks (front, app, back), each a Linux bridge
# inside a switch namespace of its own, so that no firewall of this machine (Docker's
# FORWARD drop included) sees their traffic. No NAT, no default route out of any host:
# each host reaches only the networks it is on. This machine is on front alone, at .1.
#
# The addresses are 10.88.N.0/24, where N is 3 x the stack's instance (its port offset in
# thousands, so the tests' stacks and yours never share one) plus the network's index;
# names are ws<instance>-<host>.

HOSTS=(lb-1 web-1 app-1 app-2 db-1 db-2 mon-1)
# The ha mode doubles the load balancer and the web server, and makes the databases a
# cluster of three.
[ -z "$STACK_HA" ] || HOSTS=(lb-1 lb-2 web-1 web-2 app-1 app-2 db-1 db-2 db-3 mon-1)
HOST_NETWORKS=(front app back)
# As in docker/compose.yaml (lb-1 on app too: the dashboard reads HAProxy's stats and
# checks the public side from the app servers), and mon-1 on back as well: the databases'
# exporters run there.
declare -A HOST_ON=([lb-1]="front app" [lb-2]="front app" [web-1]="front app" [web-2]="front app"
  [app-1]="app back" [app-2]="app back" [db-1]="back" [db-2]="back" [db-3]="back" [mon-1]="front app back")
# Each host's last octet, the same on every network it is on.
declare -A HOST_OCTET=([lb-1]=10 [lb-2]=11 [web-1]=20 [web-2]=21 [app-1]=31 [app-2]=32 [db-1]=41 [db-2]=42
  [db-3]=43 [mon-1]=50)
# The site's virtual address in the ha mode, on front (users) and on app (the dashboard's
# view of the public side): held by one load balancer at a time (keepalived, lb.sh).
SITE_VIRTUAL_OCTET=100

# Each host's firewall: the rule set of its role in firewall/, default drop.
declare -A HOST_ROLE=([lb-1]=lb [lb-2]=lb [web-1]=web [web-2]=web [app-1]=app [app-2]=app [db-1]=db [db-2]=db
  [db-3]=db [mon-1]=mon)

HOSTS_INSTANCE=$((PORT_OFFSET / 1000 % 80))
HOSTS_FIREWALL_DIR=$STATE_DIR/hosts/firewall
HOSTS_PREFIX=ws$HOSTS_INSTANCE
HOSTS_SWITCH=$HOSTS_PREFIX-net

host_ns() { echo "$HOSTS_PREFIX-$1"; }

network_index() {
  local i
  for i in "${!HOST_NETWORKS[@]}"; do
    [ "${HOST_NETWORKS[$i]}" != "$1" ] || { echo "$i"; return 0; }
  done
  die "no network '$1'"
}

# A network's first three octets; its subnet is that .0/24.
network_prefix() { echo "10.88.$((3 * HOSTS_INSTANCE + $(network_index "$1")))"; }

network_subnet() { echo "$(network_prefix "$1").0/24"; }

# This machine's address on front.
THIS_MACHINE_OCTET=1

# A host's address on one of its networks (on its first, when none is named).
host_address() {
  local host=$1 network=${2:-}
  [ -n "$network" ] || network=${HOST_ON[$host]%% *}
  [[ " ${HOST_ON[$host]} " == *" $network "* ]] || die "$host is not on the $network network"
  echo "$(network_prefix "$network").${HOST_OCTET[$host]}"
}

# The site's virtual address on a network (front, when none is named).
site_virtual_address() { echo "$(network_prefix "${1:-front}").$SITE_VIRTUAL_OCTET"; }

# The host a component runs on: its own name, but Prometheus and Alertmanager run on
# mon-1, each database's exporter beside it, and node-<host> is <host>'s node exporter.
component_host() {
  case "$1" in
    prometheus|alertmanager) echo mon-1 ;;
    mysqld-*) echo "db-${1#mysqld-}" ;;
    keepalived-*) echo "lb-${1#keepalived-}" ;;
    node-*) echo "${1#node-}" ;;
    *) echo "$1" ;;
  esac
}

# The address a component listens on and is reached at: 127.0.0.1 natively; in the hosts
# mode its host's address on the network its clients reach it over (front for the site,
# back for the databases, app for the rest), or on the network named second.
component_address() {
  if [ "$STACK_MODE" != hosts ]; then
    echo 127.0.0.1
    return 0
  fi
  local host network=${2:-}
  host=$(component_host "$1")
  if [ -z "$network" ]; then
    case "$host" in
      lb-*) network=front ;;
      db-*) network=back ;;
      *) network=app ;;
    esac
  fi
  host_address "$host" "$network"
}

# Sets HOST_PREFIX to the command prefix that runs a command on a component's host:
# `ip netns exec <its namespace>` (which execs, so a PID stays the command's) in the
# hosts mode, nothing natively.
host_prefix() {
  HOST_PREFIX=()
  [ "$STACK_MODE" = hosts ] || return 0
  HOST_PREFIX=(ip netns exec "$(host_ns "$(component_host "$1")")")
}

# Runs a command on a component's host (a readiness check, a client).
in_host() {
  local name=$1
  shift
  host_prefix "$name"
  "${HOST_PREFIX[@]}" "$@"
}

# The namespaces of this stack's hosts mode that exist now.
hosts_namespaces() { ip netns list | awk '{print $1}' | grep -x -- "$HOSTS_PREFIX-.*" || true; }

hosts_net_up() {
  [ -n "$AS_ROOT" ] || die "the hosts mode needs root: it makes network namespaces, bridges and veth pairs"
  if ip netns list | awk '{print $1}' | grep -qx -- "$HOSTS_SWITCH"; then
    info "the hosts' network is up already ($HOSTS_SWITCH); each host's firewall loaded again"
    # A rule set replaces its own table whole (firewall/*.nft): rules that went missing
    # or were changed come back as written, and nothing else is touched.
    hosts_firewall_render
    local host
    for host in "${HOSTS[@]}"; do
      hosts_load_firewall "$host" || die "could not load $host's firewall"
    done
    hosts_repair_links
    return 0
  fi
  local network subnet routed
  for network in "${HOST_NETWORKS[@]}"; do
    subnet=$(network_subnet "$network")
    routed=$(ip -4 route show to match "$subnet" | grep -v '^default' || true)
    [ -z "$routed" ] || die "this machine already routes $subnet (the $network network): $routed
(move the stack with WEBSTACK_PORT_OFFSET, which picks other subnets; nothing was created)"
  done
  step "creating the hosts' network: ${HOSTS[*]} on $(for n in "${HOST_NETWORKS[@]}"; do printf '%s %s ' "$n" "$(network_subnet "$n")"; done)"
  hosts_firewall_render
  # A failure halfway removes what was made: a failed up leaves nothing behind.
  if ! hosts_net_create; then
    hosts_net_down
    die "could not create the hosts' network (nothing is left of it)"
  fi
  info "each host's firewall loaded (default drop): $(for h in "${HOSTS[@]}"; do printf '%s %s.nft  ' "$h" "${HOST_ROLE[$h]}"; done)"
}

# All the addresses of some hosts, as an nftables set.
hosts_address_set() {
  local host network addresses=()
  for host in "$@"; do
    for network in ${HOST_ON[$host]}; do addresses+=("$(host_address "$host" "$network")"); done
  done
  local IFS=,
  echo "{ ${addresses[*]} }"
}

# The hosts of a role in this mode.
hosts_of_role() {
  local host
  for host in "${HOSTS[@]}"; do
    [ "${HOST_ROLE[$host]}" != "$1" ] || echo "$host"
  done
}

# All the addresses of a role's hosts, as an nftables set.
role_address_set() {
  local hosts
  mapfile -t hosts < <(hosts_of_role "$1")
  hosts_address_set "${hosts[@]}"
}

# firewall/'s rule sets with hosts.nft rendered from the real addresses, in one
# directory, checked with nft -c before any namespace exists.
hosts_firewall_render() {
  local out
  mkdir -p "$HOSTS_FIREWALL_DIR"
  cp "$ROOT"/firewall/*.nft "$HOSTS_FIREWALL_DIR/"
  cat >"$HOSTS_FIREWALL_DIR/hosts.nft" <<NFT
# The hosts mode's addresses, rendered by ./stack (scripts/hosts.sh) from firewall/hosts.nft's names.
define LOAD_BALANCERS = $(role_address_set lb)
define WEB_SERVERS = $(role_address_set web)
define APP_SERVERS = $(hosts_address_set app-1 app-2)
define PRIMARY_DB = { $(host_address db-1 back) }
define REPLICA_DBS = { $(host_address db-2 back) }
define DATABASES = $(role_address_set db)
define MONITORING = $(hosts_address_set mon-1)
# No admins' network in the hosts mode: an address none of its hosts has.
define ADMINS = { 10.10.9.0/24 }
NFT
  local role
  for role in lb web app db mon; do
    out=$(nft -c -I "$HOSTS_FIREWALL_DIR" -f "$HOSTS_FIREWALL_DIR/$role.nft" 2>&1) \
      || die "firewall/$role.nft does not load with the hosts' addresses (nothing was created):
$out"
  done
}

# Loads a host's firewall: its role's rule set, which replaces its own table whole.
hosts_load_firewall() {
  ip netns exec "$(host_ns "$1")" nft -I "$HOSTS_FIREWALL_DIR" -f "$HOSTS_FIREWALL_DIR/${HOST_ROLE[$1]}.nft"
}

# Every step checked (errexit does not reach a function called as a condition).
hosts_net_create() {
  local network host i ns
  ip netns add "$HOSTS_SWITCH" || return 1
  ip -n "$HOSTS_SWITCH" link set lo up || return 1
  for network in "${HOST_NETWORKS[@]}"; do
    ip -n "$HOSTS_SWITCH" link add name "br-$network" type bridge || return 1
    ip -n "$HOSTS_SWITCH" link set "br-$network" up || return 1
  done
  for host in "${HOSTS[@]}"; do
    ns=$(host_ns "$host")
    ip netns add "$ns" || return 1
    ip -n "$ns" link set lo up || return 1
    # IPv4 only: no link-local IPv6 path around the addresses (and the firewalls) either.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || return 1
    # HAProxy's account binds the load balancer's 80 and 443 (as a namespace's, this
    # setting is the load balancer's alone), and the virtual address too while the other
    # load balancer holds it.
    if [ "${HOST_ROLE[$host]}" = lb ]; then
      ip netns exec "$ns" sysctl -qw net.ipv4.ip_unprivileged_port_start=80 net.ipv4.ip_nonlocal_bind=1 || return 1
    fi
    # Its role's firewall before anything can listen in it.
    hosts_load_firewall "$host" || return 1
    i=0
    for network in ${HOST_ON[$host]}; do
      # One veth pair per host and network: eth<i> in the host, the other end on the bridge.
      ip -n "$HOSTS_SWITCH" link add "$host-$i" type veth peer name "eth$i" netns "$ns" || return 1
      ip -n "$HOSTS_SWITCH" link set "$host-$i" master "br-$network" up || return 1
      ip -n "$ns" addr add "$(host_address "$host" "$network")/24" dev "eth$i" || return 1
      ip -n "$ns" link set "eth$i" up || return 1
      i=$((i + 1))
    done
  done
  # This machine on front only, at .1: it reaches what front's hosts let it reach.
  ip -n "$HOSTS_SWITCH" link add this-machine type veth peer name "$HOSTS_PREFIX-front" netns $$ || return 1
  ip -n "$HOSTS_SWITCH" link set this-machine master br-front up || return 1
  sysctl -qw "net.ipv6.conf.$HOSTS_PREFIX-front.disable_ipv6=1" || return 1
  ip addr add "$(network_prefix front).$THIS_MACHINE_OCTET/24" dev "$HOSTS_PREFIX-front" || return 1
  ip link set "$HOSTS_PREFIX-front" up || return 1
  # The other networks are unreachable from here, and said so at once: without these
  # routes, the default route would send their packets out of this machine.
  for network in app back; do
    ip route add unreachable "$(network_subnet "$network")" || return 1
  done
}

# A host's network links down (it died: no packet in or out, no ARP answer) or up.
hosts_links() {
  local host=$1 state=$2 i
  for ((i = 0; i < $(wc -w <<<"${HOST_ON[$host]}"); i++)); do
    ip -n "$(host_ns "$host")" link set "eth$i" "$state"
  done
}

# Brings back the links of the hosts that died (up's repair); a load balancer's first
# gives up the site's address, which its keepalived no longer speaks for, so that it never
# answers for an address the other holds.
hosts_repair_links() {
  local host
  for host in "${HOSTS[@]}"; do
    [[ "$(ip -n "$(host_ns "$host")" -o link show 2>/dev/null)" == *"state DOWN"* ]] || continue
    if [ "${HOST_ROLE[$host]}" = lb ] && ! running_pid "keepalived-${host#lb-}" >/dev/null; then
      keepalived_release "$host"
    fi
    info "$host's links up again"
    hosts_links "$host" up
  done
}

# Removes every namespace of this stack's hosts mode; their veth pairs, bridges and this
# machine's end of front go with them.
hosts_net_down() {
  local ns
  for ns in $(hosts_namespaces); do
    ip netns del "$ns"
  done
  # The namespace holding its peer is gone, but the kernel may take a moment to drop it.
  ! ip link show "$HOSTS_PREFIX-front" >/dev/null 2>&1 || ip link del "$HOSTS_PREFIX-front" 2>/dev/null || true
  for network in app back; do
    ! ip -4 route show type unreachable | grep -q "^unreachable $(network_subnet "$network")" \
      || ip route del unreachable "$(network_subnet "$network")"
  done
}

hosts_net_status() {
  local host network line
  if ! ip netns list | awk '{print $1}' | grep -qx -- "$HOSTS_SWITCH"; then
    echo "the hosts' network is down"
    return 0
  fi
  printf '%-8s %-20s %s\n' HOST NAMESPACE ADDRESSES
  for host in "${HOSTS[@]}"; do
    line=""
    for network in ${HOST_ON[$host]}; do line+="$network $(host_address "$host" "$network")  "; done
    printf '%-8s %-20s %s\n' "$host" "$(host_ns "$host")" "$line"
  done
  printf '%-8s %-20s %s\n' "(this)" "-" "front $(network_prefix front).$THIS_MACHINE_OCTET"
}

# The network faults of ./stack chaos (hosts mode): a table of their own in each host
# concerned (webstack_chaos, at a priority before the host's firewall), removed by
# hosts_heal. Hosts may be given as a comma-separated list (app-1,app-2).
HOSTS_CHAOS_TABLE=webstack_chaos

hosts_check_names() {
  local host
  [[ "$1" =~ ^[a-z0-9-]+(,[a-z0-9-]+)*$ ]] || die "'$1' is not a host or a comma-separated list of hosts (${HOSTS[*]})"
  for host in ${1//,/ }; do
    [ -n "${HOST_OCTET[$host]:-}" ] || die "unknown host '$host' (${HOSTS[*]})"
  done
}

# Two sides of a fault: known hosts, none on both sides.
hosts_check_sides() {
  local a b
  hosts_check_names "$1"
  hosts_check_names "$2"
  for a in ${1//,/ }; do
    for b in ${2//,/ }; do
      [ "$a" != "$b" ] || die "$a is on both sides: a host cannot be cut from (or delayed to) itself"
    done
  done
}

# Adds rules to a host's chaos table; the rules are nft statements for its input and
# output chains.
hosts_chaos_rules() {
  local host=$1 input=$2 output=$3
  ip netns exec "$(host_ns "$host")" nft -f - <<NFT
table inet $HOSTS_CHAOS_TABLE {
  chain input { type filter hook input priority filter - 10; policy accept; $input; }
  chain output { type filter hook output priority filter - 10; policy accept; $output; }
}
NFT
}

# Every packet between the hosts of one side and those of the other is dropped, both
# ways, connections already open included.
hosts_partition() {
  local side_a=${1//,/ } side_b=${2//,/ } a b
  for a in $side_a; do
    for b in $side_b; do
      hosts_chaos_rules "$a" "ip saddr $(hosts_address_set "$b") drop" "ip daddr $(hosts_address_set "$b") drop"
      hosts_chaos_rules "$b" "ip saddr $(hosts_address_set "$a") drop" "ip daddr $(hosts_address_set "$a") drop"
    done
  done
}

# Every packet in or out of a host is dropped, but for its own loopback.
hosts_isolate() {
  local host
  for host in ${1//,/ }; do
    hosts_chaos_rules "$host" 'iif != "lo" drop' 'oif != "lo" drop'
  done
}

# The first of the loopback ports a source host's relay listens on (delay).
HOSTS_RELAY_PORT=47000

# Every round trip from the hosts of one side to the other's takes MS longer: in each
# source host a relay (scripts/Relay.java, as root) listens on loopback, and an nftables
# redirect sends it the host's new connections to every port the other side listens on
# (except the relay's own: it runs as root, the components do not).
hosts_delay() {
  local sources=${1//,/ } targets=${2//,/ } ms=$3 a b listener address port network relay_port rules args pid reset=''
  for a in $sources; do
    relay_port=$HOSTS_RELAY_PORT rules='' args=()
    stop_component "relay-$a" 5
    for b in $targets; do
      for listener in $(ip netns exec "$(host_ns "$b")" ss -Hltn | awk '{print $4}' | sort -u); do
        port=${listener##*:}
        address=${listener%:*}
        for network in ${HOST_ON[$a]}; do
          [[ " ${HOST_ON[$b]} " == *" $network "* ]] || continue
          [ "$address" = "0.0.0.0" ] || [ "$address" = "*" ] || [ "$address" = "$(host_address "$b" "$network")" ] \
            || continue
          rules+="ip daddr $(host_address "$b" "$network") tcp dport $port meta skuid != 0 redirect to :$relay_port; "
          args+=("$relay_port" "$(host_address "$b" "$network"):$port")
          relay_port=$((relay_port + 1))
        done
      done
    done
    [ ${#args[@]} -gt 0 ] || die "$a shares no network with any listening port of ${2//,/ and }"
    printf '%s\n' "${args[@]}" >"$RUN_DIR/relay-$a.pairs"
    : >"$LOG_DIR/relay-$a.log"
    ip netns exec "$(host_ns "$a")" setsid java "$ROOT/scripts/Relay.java" "$ms" "${args[@]}" \
      </dev/null >>"$LOG_DIR/relay-$a.log" 2>&1 &
    echo "$!" >"$(pid_file "relay-$a")"
    pid=$!
    wait_for "the relay in $a" 60 "$pid" grep -qx relaying "$LOG_DIR/relay-$a.log"
    ip netns exec "$(host_ns "$a")" nft -f - <<NFT
table inet $HOSTS_CHAOS_TABLE {
  chain delay { type nat hook output priority -100; policy accept; $rules }
}
NFT
    [ -z "$reset" ] || sleep 2
    hosts_reset_connections "$a" "${args[@]}"
    reset=1
  done
}

# A redirect reaches only new connections, and the components keep theirs open (pools):
# the components' connections to the delayed destinations are reset (ss -K), so that they
# connect again, through the relay; the relay's own (root's) are left alone. What such a
# reset fails in flight is retried like any lost connection (a read's 503, retried by
# HAProxy on the other app server), so the source hosts are taken one at a time, two
# seconds apart.
hosts_reset_connections() {
  local host=$1 ns local_end peer_end
  shift
  ns=$(host_ns "$host")
  while [ $# -ge 2 ]; do
    ip netns exec "$ns" ss -Htne state established "( dst ${2%:*} and dport = :${2##*:} )" 2>/dev/null \
      | awk '/ uid:[1-9]/ {print $3, $4}' | while read -r local_end peer_end; do
        ip netns exec "$ns" ss -K -tn state established "( src $local_end and dst $peer_end )" >/dev/null 2>&1 || true
      done
    shift 2
  done
}

# Removes every network fault: the chaos tables, and the relays. A connection redirected
# to a relay stays translated only while the redirect's chain exists (deleting it would
# leave such a connection hanging, its packets no longer translated): so, per host with a
# relay, the redirect rules go first (new connections go straight), then the components'
# connections to the delayed side are reset as at the start, one host at a time, two
# seconds apart, so that the pools connect again directly; then the relay stops and the
# table goes.
hosts_heal() {
  local host ns pid reset=''
  for host in "${HOSTS[@]}"; do
    ns=$(host_ns "$host")
    if pid=$(running_pid "relay-$host"); then
      ip netns exec "$ns" nft flush chain inet "$HOSTS_CHAOS_TABLE" delay 2>/dev/null || true
      [ -z "$reset" ] || sleep 2
      # shellcheck disable=SC2046 # the relay's listen-port/destination pairs, as recorded
      hosts_reset_connections "$host" $(cat "$RUN_DIR/relay-$host.pairs" 2>/dev/null)
      reset=1
      stop_component "relay-$host" 5 >/dev/null
      rm -f "$RUN_DIR/relay-$host.pairs"
    fi
    ip netns exec "$ns" nft delete table inet "$HOSTS_CHAOS_TABLE" 2>/dev/null || true
  done
}

# Stops the relays (./stack down).
hosts_relays_down() {
  local host
  for host in "${HOSTS[@]}"; do
    stop_component "relay-$host" 5
    rm -f "$RUN_DIR/relay-$host.pairs"
  done
}
