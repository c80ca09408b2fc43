#!/usr/bin/env bash
# Makes the Debian base image that docker/local.Dockerfile builds on, for machines that run
# Docker but cannot pull images: a minimal Debian bookworm root file system made by
# debootstrap from this machine's own configured Debian mirror, imported as
# webstack/debian:bookworm. Does nothing when that image exists (pass --rebuild to remake it).
#
# The mirror is read from this machine's apt sources at run time, so no mirror's name is
# written in this project; the image's own apt sources name the same mirror.
set -o errexit -o nounset -o pipefail

IMAGE=${WEBSTACK_BASE_IMAGE:-webstack/debian:bookworm}

# The first URI among the machine's apt sources (deb822 .sources or one-line .list) whose
# path ends in $1: "debian" for the archive, "debian-security" for its security updates.
apt_source() {
  local file
  for file in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    awk -v path="$1" '
      /^URIs:/ || /^deb / { for (i = 2; i <= NF; i++) if ($i ~ "^(https?|file):.*/" path "/?$") { print $i; exit } }
    ' "$file"
  done | head -n 1
}

main() {
  if [ "${1:-}" != --rebuild ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "base image $IMAGE is there"
    return 0
  fi
  command -v debootstrap >/dev/null || { echo "base-image.sh: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
  [ "$(id -u)" = 0 ] || { echo "base-image.sh: debootstrap needs root" >&2; exit 1; }
  local mirror security rootfs
  mirror=$(apt_source debian)
  security=$(apt_source debian-security)
  [ -n "$mirror" ] || { echo "base-image.sh: no Debian mirror in this machine's apt sources" >&2; exit 1; }
  rootfs=$(mktemp -d /tmp/webstack-rootfs.XXXXXX)
  # shellcheck disable=SC2064 # the path is fixed now
  trap "rm -rf '$rootfs'" EXIT
  echo "debootstrap bookworm from $mirror (about a minute)"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
    || { tail -n 20 "$rootfs.log" >&2; rm -f "$rootfs.log"; exit 1; }
  rm -f "$rootfs.log"
  # Updates and security updates too, as every Debian image carries them, from where this
  # machine takes its own.
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$mirror" "$mirror" >"$rootfs/etc/apt/sources.list"
  [ -z "$security" ] || printf 'deb %s bookworm-security main\n' "$security" >>"$rootfs/etc/apt/sources.list"
  # Images stay small: no package lists or caches are kept, no documentation is installed.
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$rootfs/etc/apt/apt.conf.d/90webstack"
  printf 'path-exclude /usr/share/doc/*\npath-exclude /usr/share/man/*\npath-exclude /usr/share/locale/*\n' \
    >"$rootfs/etc/dpkg/dpkg.cfg.d/90webstack"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" --numeric-owner -c . | docker import --change 'CMD ["bash"]' - "$IMAGE" >/dev/null
  echo "base image $IMAGE made"
}

main "$@"
