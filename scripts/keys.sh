# shellcheck shell=bash
# The keys that sign cookies, and their rotation without signing anybody out early.
#
# The app servers read $SECRETS_DIR/session-key (signs), session-key.next (accepted, not
# yet signing) and session-key.previous (accepted for a grace from the file's time) again
# within a second of any change (security/SessionKeys). A rotation has two phases: the
# new key becomes "next" and every running app server is seen accepting it; only then
# does it sign, the old key becoming "previous". No server ever signs with a key that
# another server does not accept yet.

# webstack.session-key-grace in application.properties: a sign-in (8h), then some margin.
SESSION_KEY_GRACE_SECONDS=$((8 * 3600 + 15 * 60))

# The id the app servers give a key file: the start of its SHA-256, base64url (SessionKeys.id).
key_id() {
  tr -d '[:space:]' <"$1" | openssl dgst -sha256 -binary | basenc --base64url | cut -c1-8
}

# The cookie keys an app server reports on its management port, or nothing if it is down.
app_session_keys() {
  in_host "$1" curl -fsS --max-time 2 "http://$(component_address "$1"):$(app_management_port "$1")/actuator/info" 2>/dev/null \
    | grep -o '"sessionKeys":{[^}]*}' || true
}

# Answers when every running app server reports this key (signing: "signing":"<id>").
apps_report() {
  local pattern=$1 app
  for app in "${APPS[@]}"; do
    running_pid "$app" >/dev/null || continue
    app_session_keys "$app" | grep -q "$pattern" || return 1
  done
}

cmd_rotate_keys() {
  local force=${1:-} key=$SECRETS_DIR/session-key next=$SECRETS_DIR/session-key.next
  local previous=$SECRETS_DIR/session-key.previous retires
  [ -z "$force" ] || [ "$force" = --force ] || die "usage: ./stack rotate-keys [--force]"
  [ -s "$key" ] || die "no session key yet in $SECRETS_DIR: run ./stack up first"
  # A second rotation within the grace would drop the key before the previous one, and
  # sign out whoever signed in with it. A rotation that stopped half-way just resumes.
  if [ ! -s "$next" ] && [ -s "$previous" ] && [ -z "$force" ]; then
    retires=$(($(stat -c %Y "$previous") + SESSION_KEY_GRACE_SECONDS))
    if [ "$retires" -gt "$(date +%s)" ]; then
      die "the previous key is accepted until $(date -d "@$retires"); rotating again before then would sign out people signed in before the last rotation (--force to do it anyway)"
    fi
  fi

  if [ ! -s "$next" ]; then
    (set +o pipefail; umask 077 && LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32 >"$next.tmp")
    # Readable by the app servers' account before it appears under its name.
    secret_owner "$next.tmp" "${SECRET_READERS[session-key]}"
    mv -f "$next.tmp" "$next"
  fi
  local id
  id=$(key_id "$next")
  step "rotating the cookie key: every app server accepts the new key $id before any signs with it"
  wait_for "the app servers to accept key $id" 60 "" apps_report "\"$id\""

  step "signing with key $id; the old key $(key_id "$key") is still accepted for $((SESSION_KEY_GRACE_SECONDS / 60)) minutes"
  # Each state between these two renames is one the app servers accept (SessionKeys).
  (umask 077 && cp "$key" "$previous.tmp")
  secret_owner "$previous.tmp" "${SECRET_READERS[session-key]}"
  mv -f "$previous.tmp" "$previous"
  mv -f "$next" "$key"
  wait_for "the app servers to sign with key $id" 60 "" apps_report "\"signing\":\"$id\""
  info "done: nobody was signed out; sign-ins made with the old key end when they expire"
}
