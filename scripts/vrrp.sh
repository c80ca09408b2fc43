# shellcheck shell=bash
# The ha mode's site address: keepalived on each load balancer (keepalived-1 on lb-1,
# keepalived-2 on lb-2) holds the site's virtual address, on front and on app, on one of
# them, and moves it to the other within a few seconds when HAProxy stops answering there
# or the host dies. VRRP (unicast: each names its peer) over front; each load balancer's
# firewall admits it from the load balancers alone (firewall/lb.nft). No preemption: a
# load balancer that returns does not take the address back (that would be a second move,
# and a second gap, for nothing); the first election goes to lb-1, the higher priority.

# The VRRP router id of the site's address (1-255, the same on both load balancers).
VRRP_ROUTER_ID=51

keepalived_names() { echo keepalived-1 keepalived-2; }

keepalived_conf() { echo "$STATE_DIR/lb-${1#keepalived-}/keepalived.conf"; }

keepalived_render() {
  local name lb peer priority
  for name in $(keepalived_names); do
    lb=lb-${name#keepalived-}
    if [ "$lb" = lb-1 ]; then peer=lb-2 priority=150; else peer=lb-1 priority=100; fi
    mkdir -p "$STATE_DIR/$lb"
    {
      echo "# $name: rendered by ./stack (scripts/vrrp.sh, haproxy/keepalived.sh) for $lb."
      keepalived_site_conf "$lb" "$(host_address "$lb" front)" "$(host_address "$peer" front)" "$priority" eth0 \
        "https://$(host_address "$lb" front):$LB_HTTPS_PORT/readyz" "$VRRP_ROUTER_ID" \
        "$(site_virtual_address front)/24 dev eth0" "$(site_virtual_address app)/24 dev eth1"
    } >"$(keepalived_conf "$name")"
  done
}

keepalived_validate() {
  local name out rc
  for name in $(keepalived_names); do
    # keepalived 2.2's check ends itself with SIGTERM (143) when it finds nothing wrong,
    # 5 on an error; it only prints what it finds (warnings too, which count here).
    rc=0
    out=$(in_host "$name" keepalived --config-test --all-config -f "$(keepalived_conf "$name")" 2>&1) || rc=$?
    if [ -n "$out" ] || { [ "$rc" != 0 ] && [ "$rc" != 143 ]; }; then
      die "the keepalived configuration of $name is invalid (nothing was started or changed):
${out:-keepalived --config-test exited $rc}"
    fi
  done
}

# The load balancer holding the site's address now (nothing when none does): one whose
# keepalived runs and that has the address (a dead one's keepalived left it there).
keepalived_holder() {
  local lb
  for lb in "${LBS[@]}"; do
    running_pid "keepalived-${lb#lb-}" >/dev/null || continue
    if [[ "$(ip -n "$(host_ns "$lb")" -4 -o addr show 2>/dev/null)" == *" $(site_virtual_address front)/"* ]]; then
      echo "$lb"
      return 0
    fi
  done
}

keepalived_holds() { [ -n "$(keepalived_holder)" ]; }

# Removes the site's address from a load balancer whose keepalived does not run: what a
# keepalived killed outright leaves behind, on a host that no longer speaks for it.
keepalived_release() {
  local lb=$1 network i=0
  for network in front app; do
    ip -n "$(host_ns "$lb")" addr del "$(site_virtual_address "$network")/24" dev "eth$i" 2>/dev/null || true
    i=$((i + 1))
  done
}

keepalived_up() {
  local name lb pid
  for name in $(keepalived_names); do
    lb=lb-${name#keepalived-}
    already_running "$name" && continue
    keepalived_release "$lb"
    step "starting $name (keepalived, VRRP) on $lb for the site's address $(site_virtual_address front)"
    spawn "$name" keepalived --dont-fork --log-console --no-syslog --vrrp -f "$(keepalived_conf "$name")" \
      -p "$RUN_DIR/$name.keepalived.pid" -r "$RUN_DIR/$name.vrrp.pid"
  done
  wait_for "the site's virtual address on a load balancer" 30 "" keepalived_holds
  info "$(keepalived_holder) holds the site's address $(site_virtual_address front)"
}

keepalived_down() {
  local name
  for name in $(keepalived_names); do stop_component "$name" 10; done
}

keepalived_status_rows() {
  local name lb pid state
  for name in $(keepalived_names); do
    lb=lb-${name#keepalived-}
    if pid=$(running_pid "$name"); then
      if [ "$(keepalived_holder)" = "$lb" ]; then state="UP (holds $(site_virtual_address front))"; else state="UP (backup)"; fi
    else
      pid=-
      state=DOWN
    fi
    status_row "$name" "vrrp" "$(component_address "$lb"):vrrp" "$pid" "$state"
  done
}
