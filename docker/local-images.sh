#!/usr/bin/env bash
# Builds the local images of docker/local.Dockerfile (webstack/<target>:local), for machines
# that run Docker but cannot pull images: the Debian base image first (docker/base-image.sh),
# then each target named (lb, web, db, prometheus, app; default: all). Docker's build cache
# makes a second run take seconds. The app target takes target/webstack.jar: build it first
# (./mvnw -DskipTests package).
set -o errexit -o nounset -o pipefail

docker_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(lb web db prometheus app)

"$docker_dir/base-image.sh"
for target in "${targets[@]}"; do
  case "$target" in
    lb|web|db|prometheus|app) ;;
    *) echo "local-images.sh: unknown target '$target' (lb, web, db, prometheus, app)" >&2; exit 1 ;;
  esac
  if [ "$target" = app ] && [ ! -f "$docker_dir/../target/webstack.jar" ]; then
    echo "local-images.sh: target/webstack.jar is missing: run ./mvnw -DskipTests package first" >&2
    exit 1
  fi
  echo "building webstack/$target:local"
  # The classic builder, which Debian's Docker engine has without the buildx plugin (newer
  # clients warn that it is deprecated): its output is shown only when the build fails.
  if ! out=$(docker build --quiet --file "$docker_dir/local.Dockerfile" --target "$target" \
    --tag "webstack/$target:local" "$docker_dir/.." 2>&1); then
    printf '%s\n' "$out" >&2
    echo "local-images.sh: building webstack/$target:local failed" >&2
    exit 1
  fi
done
