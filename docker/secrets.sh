#!/usr/bin/env bash
# Generates the secrets the Docker Compose stack reads, once, into docker/secrets/
# (git-ignored): passwords, the session key, HAProxy's users (crypt(3) hashes of the stats
# and metrics passwords), and a self-signed certificate for lb-1 unless
# docker/secrets/lb-1.pem is already there (put your own there; the one made here names
# localhost, 127.0.0.1 and 172.30.0.100, the ha flavour's shared address).
#
# Compose bind-mounts each secret with the file's own owner and mode, so a secret must be
# readable by the container's user and by nobody else: every file is mode 0640 and owned
# by your primary group, which compose.yaml adds to each service's user (group_add, from
# WEBSTACK_SECRETS_GID that this script writes to docker/.env). The directory is 0700.
set -o errexit -o nounset -o pipefail

docker_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=$docker_dir/secrets
umask 077
mkdir -p "$dir"
chmod 700 "$dir"

for name in admin-password session-key lb-stats-password lb-metrics-password monitoring-password \
  alertmanager-password db-root-password db-app-password db-migrations-password db-replication-password db-monitor-password; do
  if [ ! -s "$dir/$name" ]; then
    (set +o pipefail; LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32 >"$dir/$name")
  fi
done

# HAProxy's stats users, a second configuration file (see haproxy/haproxy.cfg).
"$docker_dir/../haproxy/users.sh" "$dir" >"$dir/haproxy-users.cfg"
# Older versions gave HAProxy the admin password's hash in its environment.
rm -f "$dir/lb-1.env"

if [ ! -s "$dir/lb-1.pem" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
    -subj "/CN=localhost/O=Webstack" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:172.30.0.100" \
    -keyout "$dir/lb-1.key" -out "$dir/lb-1.crt" 2>/dev/null
  cat "$dir/lb-1.crt" "$dir/lb-1.key" >"$dir/lb-1.pem"
fi
chgrp "$(id -g)" "$dir"/*
chmod 640 "$dir"/*
printf '# Written by docker/secrets.sh: the group that may read docker/secrets/*.\nWEBSTACK_SECRETS_GID=%s\n' \
  "$(id -g)" >"$docker_dir/.env"
echo "secrets are in $dir (mode 0640, group $(id -gn))"
