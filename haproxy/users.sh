#!/usr/bin/env bash
# Prints HAProxy's stats users (a second configuration file beside haproxy.cfg) from the
# passwords in the secrets folder given: user stats opens the stats page, user prometheus
# opens /metrics, each checked against a crypt(3) hash. openssl reads each password on
# stdin, never on its command line. Used by ./stack (scripts/lb.sh) and docker/secrets.sh.
set -o errexit -o nounset -o pipefail

dir=${1:?usage: haproxy/users.sh <secrets folder>}
stats=$(openssl passwd -6 -stdin <"$dir/lb-stats-password")
metrics=$(openssl passwd -6 -stdin <"$dir/lb-metrics-password")
cat <<USERS
# Rendered from lb-stats-password and lb-metrics-password by haproxy/users.sh; do not edit.
userlist lb-1-users
    group stats
    group metrics
    user stats password $stats groups stats
    user prometheus password $metrics groups metrics
USERS
