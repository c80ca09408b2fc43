# shellcheck shell=bash
# Alertmanager: takes Prometheus's alerts, groups and inhibits them, and delivers them to
# the admins: always to both app servers' webhook (recorded in the database, shown on the
# dashboard), and by e-mail when .stack/alerting.conf names an address and a relay.

ALERTMANAGER_PORT=$(port 9093)
ALERTMANAGER_DIR=$STATE_DIR/alertmanager
ALERTING_CONF=$STATE_DIR/alerting.conf
# shellcheck disable=SC2034 # used by ./stack (PACKAGES)
ALERTING_PACKAGES=(prometheus-alertmanager)
ALERTING_SETTINGS="email_to, email_from, smtp_relay, smtp_require_tls, smtp_username"

# The e-mail receiver's YAML (under the receiver "admins"), or nothing when alerting.conf
# is absent. Every line is checked: a setting unknown, malformed or missing stops ./stack
# before anything starts, saying which.
alerting_email_configs() {
  [ -f "$ALERTING_CONF" ] || return 0
  local line key value to='' from='' relay='' tls=true user='' auth=''
  while IFS= read -r line || [ -n "$line" ]; do
    # A comment may end a line too (no value here holds a '#').
    line=${line%%[[:space:]]#*}
    [[ "$line" =~ ^[[:space:]]*(#.*)?$ ]] && continue
    [[ "$line" =~ ^[[:space:]]*([a-z_]+)[[:space:]]*=[[:space:]]*([^[:space:]]+)[[:space:]]*$ ]] \
      || die "$ALERTING_CONF: cannot read '$line' (one 'setting = value' per line)"
    key=${BASH_REMATCH[1]}
    value=${BASH_REMATCH[2]}
    case "$key" in
      email_to) alerting_check "$key" "$value" '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$' "an e-mail address"; to=$value ;;
      email_from) alerting_check "$key" "$value" '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$' "an e-mail address"; from=$value ;;
      smtp_relay) alerting_check "$key" "$value" '^[A-Za-z0-9.-]+:[0-9]{1,5}$' "host:port"; relay=$value ;;
      smtp_require_tls) alerting_check "$key" "$value" '^(true|false)$' "true or false"; tls=$value ;;
      smtp_username) alerting_check "$key" "$value" '^[A-Za-z0-9._%+@-]+$' "a user name"; user=$value ;;
      *) die "$ALERTING_CONF: unknown setting '$key' (settings: $ALERTING_SETTINGS)" ;;
    esac
  done <"$ALERTING_CONF"
  [ -n "$to" ] || die "$ALERTING_CONF: email_to is missing (the address alerts go to)"
  [ -n "$relay" ] || die "$ALERTING_CONF: smtp_relay is missing (the SMTP relay, host:port)"
  [ -n "$from" ] || from="webstack@$(hostname)"
  if [ -n "$user" ]; then
    [ -s "$SECRETS_DIR/smtp-password" ] \
      || die "$ALERTING_CONF: smtp_username is set but $SECRETS_DIR/smtp-password (its password) is missing"
    auth="
        auth_username: '$user'
        auth_password: '$(sed "s/'/''/g" "$SECRETS_DIR/smtp-password")'"
  fi
  cat <<YAML
    email_configs:
      - to: '$to'
        from: '$from'
        smarthost: '$relay'
        require_tls: $tls
        send_resolved: true$auth
YAML
}

alerting_check() {
  [[ "$2" =~ $3 ]] || die "$ALERTING_CONF: $1 = '$2' is not $4"
}

alertmanager_render() {
  local email
  email=$(alerting_email_configs)
  mkdir -p "$ALERTMANAGER_DIR/data"
  component_owns alertmanager "$ALERTMANAGER_DIR/data"
  # The file may hold the SMTP password: only Alertmanager's account reads it. envsubst
  # replaces only the variables listed.
  # shellcheck disable=SC2016
  (umask 077 && APP1_WEBHOOK_URL="http://$(component_address app-1):$(app_port app-1)/internal/alerts" \
    APP2_WEBHOOK_URL="http://$(component_address app-2):$(app_port app-2)/internal/alerts" \
    WEBHOOK_PASSWORD_FILE="$SECRETS_DIR/alertmanager-password" EMAIL_CONFIGS="$email" \
    envsubst '${APP1_WEBHOOK_URL} ${APP2_WEBHOOK_URL} ${WEBHOOK_PASSWORD_FILE} ${EMAIL_CONFIGS}' \
    <"$ROOT/alertmanager/alertmanager.yml" >"$ALERTMANAGER_DIR/alertmanager.yml.new")
  secret_owner "$ALERTMANAGER_DIR/alertmanager.yml.new" "$(component_account alertmanager)"
  mv -f "$ALERTMANAGER_DIR/alertmanager.yml.new" "$ALERTMANAGER_DIR/alertmanager.yml"
}

alertmanager_validate() {
  local out
  out=$(as_component alertmanager amtool check-config "$ALERTMANAGER_DIR/alertmanager.yml" 2>&1) \
    || die "the Alertmanager configuration is invalid (nothing was started or changed):
$out"
}

# Whether e-mail is on, for up's summary.
alerting_email_summary() {
  local to
  to=$(sed -n "s/^[[:space:]]*email_to[[:space:]]*=[[:space:]]*//p" "$ALERTING_CONF" 2>/dev/null)
  if [ -n "$to" ]; then echo "e-mail to ${to%%[[:space:]]*}"; else echo "no e-mail: $ALERTING_CONF"; fi
}

alertmanager_url() { echo "http://$(component_address alertmanager):$ALERTMANAGER_PORT"; }

alertmanager_ready() { http_ok_from alertmanager "$(alertmanager_url)/-/ready"; }

alertmanager_up() {
  local pid
  if pid=$(running_pid alertmanager); then
    info "alertmanager already running (pid $pid)"
    return 0
  fi
  ensure_port_free alertmanager "$ALERTMANAGER_PORT"
  step "starting alertmanager on $(alertmanager_url)"
  # One Alertmanager, no cluster: without an empty cluster address it would gossip on
  # every interface's port 9094.
  spawn alertmanager prometheus-alertmanager --config.file="$ALERTMANAGER_DIR/alertmanager.yml" \
    --storage.path="$ALERTMANAGER_DIR/data" \
    --web.listen-address="$(component_address alertmanager):$ALERTMANAGER_PORT" \
    --web.external-url="$(alertmanager_url)/" \
    --cluster.listen-address=
  pid=$(cat "$(pid_file alertmanager)")
  wait_for alertmanager 30 "$pid" alertmanager_ready
  info "alertmanager ready (pid $pid)"
}

alertmanager_down() { stop_component alertmanager 30; }

alertmanager_status_row() {
  component_status_row alertmanager alerting "$(component_address alertmanager):$ALERTMANAGER_PORT" alertmanager_ready "not ready"
}
