# shellcheck shell=bash
# Prometheus: scrapes both app servers' management ports, HAProxy's exporter, the host's
# and the databases' exporters (scripts/exporters.sh) and Alertmanager, and sends its
# alerts to Alertmanager (scripts/alerting.sh).

PROMETHEUS_PORT=$(port 9090)
PROMETHEUS_DIR=$STATE_DIR/prometheus

# The config is the project's; the targets are this deployment's addresses.
prometheus_render() {
  mkdir -p "$PROMETHEUS_DIR/targets" "$PROMETHEUS_DIR/data"
  # Prometheus writes only its time series database; its configuration stays ./stack's.
  component_owns prometheus "$PROMETHEUS_DIR/data"
  cp "$ROOT/prometheus/prometheus.yml" "$ROOT/prometheus/alerts.yml" "$ROOT/prometheus/slo.yml" "$PROMETHEUS_DIR/"
  ln -sfn "$SECRETS_DIR" "$PROMETHEUS_DIR/secrets"
  cat >"$PROMETHEUS_DIR/targets/apps.yml" <<TARGETS
- targets: ['$(component_address app-1):$(app_management_port app-1)']
  labels: {instance_name: app-1}
- targets: ['$(component_address app-2):$(app_management_port app-2)']
  labels: {instance_name: app-2}
TARGETS
  cat >"$PROMETHEUS_DIR/targets/haproxy.yml" <<TARGETS
- targets: ['$(component_address lb-1 app):$LB_STATS_PORT']
  labels: {instance_name: lb-1}
TARGETS
  cat >"$PROMETHEUS_DIR/targets/prometheus.yml" <<TARGETS
- targets: ['$(component_address prometheus):$PROMETHEUS_PORT']
  labels: {instance_name: prometheus}
TARGETS
  cat >"$PROMETHEUS_DIR/targets/alertmanager.yml" <<TARGETS
- targets: ['$(component_address alertmanager):$ALERTMANAGER_PORT']
  labels: {instance_name: alertmanager}
TARGETS
  local node exporter role
  for node in "${NODE_EXPORTERS[@]}"; do
    printf -- "- targets: ['%s:%s']\n  labels: {instance_name: %s}\n" \
      "$(exporter_target "$node")" "$(exporter_port "$node")" "$node"
  done >"$PROMETHEUS_DIR/targets/node.yml"
  for exporter in "${MYSQLD_EXPORTERS[@]}"; do
    role=$(db_role "$(exporter_db "$exporter")")
    printf -- "- targets: ['%s:%s']\n  labels: {instance_name: %s, database: %s, role: %s}\n" \
      "$(exporter_target "$exporter")" "$(exporter_port "$exporter")" "$exporter" "$(exporter_db "$exporter")" "$role"
  done >"$PROMETHEUS_DIR/targets/mysqld.yml"
}

prometheus_validate() {
  local out
  out=$(as_component prometheus promtool check config "$PROMETHEUS_DIR/prometheus.yml" 2>&1) \
    || die "the Prometheus configuration is invalid (nothing was started or changed):
$out"
}

prometheus_ready() { http_ok_from prometheus "http://$(component_address prometheus):$PROMETHEUS_PORT/-/ready"; }

prometheus_up() {
  local pid
  if pid=$(running_pid prometheus); then
    info "prometheus already running (pid $pid)"
    return 0
  fi
  ensure_port_free prometheus "$PROMETHEUS_PORT"
  step "starting prometheus on $(component_address prometheus):$PROMETHEUS_PORT"
  spawn prometheus prometheus --config.file="$PROMETHEUS_DIR/prometheus.yml" \
    --storage.tsdb.path="$PROMETHEUS_DIR/data" \
    --storage.tsdb.retention.time=2d \
    --web.listen-address="$(component_address prometheus):$PROMETHEUS_PORT"
  pid=$(cat "$(pid_file prometheus)")
  wait_for prometheus 60 "$pid" prometheus_ready
  info "prometheus ready (pid $pid)"
}

prometheus_down() { stop_component prometheus 30; }

prometheus_status_row() {
  component_status_row prometheus monitoring "$(component_address prometheus):$PROMETHEUS_PORT" prometheus_ready "not ready"
}
