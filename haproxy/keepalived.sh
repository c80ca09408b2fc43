# shellcheck shell=bash
# The keepalived configuration of a load balancer that shares the site's address with its
# peer: ./stack's ha mode (scripts/vrrp.sh) and the Compose ha flavour's lb image
# (docker/local/lb-entrypoint.sh) both render it with this function.
#
#   keepalived_site_conf NAME SOURCE PEER PRIORITY INTERFACE CHECK_URL ROUTER_ID ADDRESS...
#
# NAME is the load balancer's, SOURCE and PEER the addresses VRRP goes between (unicast),
# INTERFACE the one SOURCE is on, CHECK_URL HAProxy's public side on this load balancer,
# ROUTER_ID the VRRP router id (1-255, the same on both) and each ADDRESS a virtual address
# as keepalived writes it ("10.88.90.100/24 dev eth0").
keepalived_site_conf() {
  local name=$1 source=$2 peer=$3 priority=$4 interface=$5 check_url=$6 router_id=$7 address
  shift 7
  cat <<CONF
global_defs {
  router_id $name
  # The check runs as an unprivileged account; keepalived itself (root) only moves the address.
  script_user nobody nogroup
  enable_script_security
}

# HAProxy itself answers: a TLS handshake and a request it refuses at the edge (/readyz),
# on this load balancer's own address, within 1 s. Two failures in a row give the address
# up; two successes make this load balancer eligible again. The app servers' state does not
# count: both load balancers see the same ones.
vrrp_script haproxy_answers {
  script "/usr/bin/curl -sk -o /dev/null --max-time 1 $check_url"
  interval 1
  timeout 2
  fall 2
  rise 2
}

# No preemption: a load balancer that returns does not take the address back (that would
# be a second move, and a second gap, for nothing).
vrrp_instance site {
  state BACKUP
  nopreempt
  # VRRP version 3: advertisements every half second, so that the other takes the address
  # 1.7 to 1.8 s after the last one from a dead holder (three intervals and a skew), before
  # a client's kept connections or its cached neighbour entry for the address give up.
  version 3
  interface $interface
  virtual_router_id $router_id
  priority $priority
  advert_int 0.5
  unicast_src_ip $source
  unicast_peer {
    $peer
  }
  virtual_ipaddress {
CONF
  for address in "$@"; do
    echo "    $address"
  done
  cat <<CONF
  }
  track_script {
    haproxy_answers
  }
}
CONF
}
