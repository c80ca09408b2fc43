#!/usr/bin/env bash
# Generates the secrets the Docker Compose stack reads, once, into docker/secrets/
# (git-ignored, mode 0600): passwords, the session key, and a self-signed certificate
# for lb-1 unless docker/secrets/lb-1.pem is already there (put your own there).
set -o errexit -o nounset -o pipefail

dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/secrets
umask 077
mkdir -p "$dir"

for name in admin-password session-key db-root-password db-app-password db-migrations-password db-replication-password db-monitor-password; do
  if [ ! -s "$dir/$name" ]; then
    (set +o pipefail; LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32 >"$dir/$name")
  fi
done

# HAProxy checks the admin password against a crypt(3) hash, passed in its environment.
printf "LB_STATS_PASSWORD_HASH='%s'\n" "$(openssl passwd -6 -stdin <"$dir/admin-password")" >"$dir/lb-1.env"

if [ ! -s "$dir/lb-1.pem" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
    -subj "/CN=localhost/O=Webstack" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$dir/lb-1.key" -out "$dir/lb-1.crt" 2>/dev/null
  cat "$dir/lb-1.crt" "$dir/lb-1.key" >"$dir/lb-1.pem"
fi
# The containers run as their own users, which must be able to read their secrets; the
# directory itself stays 0700, so nobody else on the host can.
chmod 644 "$dir"/*
echo "secrets are in $dir"
