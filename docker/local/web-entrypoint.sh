#!/bin/bash
# web-1's entrypoint in the local image, as the official nginx image's: every
# /etc/nginx/templates/*.template rendered into $NGINX_ENVSUBST_OUTPUT_DIR with the variables
# the environment defines (Nginx's own $variables stay as they are), then the command.
set -o errexit -o nounset -o pipefail

templates=/etc/nginx/templates
out=${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}
defined=
for name in $(compgen -e); do defined+="\${$name} "; done
mkdir -p "$out"
for template in "$templates"/*.template; do
  [ -f "$template" ] || continue
  name=$(basename "$template" .template)
  envsubst "$defined" <"$template" >"$out/$name"
  echo "web-entrypoint: rendered $template to $out/$name"
done
exec "$@"
