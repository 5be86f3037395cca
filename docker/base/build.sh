#!/usr/bin/env bash
# Builds a minimal Debian + headless JRE image with mmdebstrap and `docker import`, because no
# container registry is reachable here: every image we run starts from this one.
#   bash docker/base/build.sh [17|21]   → firedrill/jre17-base (bookworm) or firedrill/jre21-base (trixie)
# Idempotent: does nothing when the image already exists (FIREDRILL_REBUILD=1 forces a rebuild).
set -euo pipefail

java_major="${1:-17}"
case "$java_major" in
  17) suite=bookworm ;;
  # Debian 12 has no Java 21; Debian 13 (trixie) ships openjdk-21 as its default JRE.
  21) suite=trixie ;;
  *) echo "docker/base/build.sh: unsupported Java '$java_major' (use 17 or 21)" >&2; exit 2 ;;
esac
image="firedrill/jre${java_major}-base"
mirror="${FIREDRILL_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if [[ "${FIREDRILL_REBUILD:-0}" != 1 ]] && docker image inspect "$image" >/dev/null 2>&1; then
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# No docs, man pages or locales: the image only runs a JVM. passwd gives images useradd (trixie's
# apt variant lacks it); the JRE's postinst links a man page, so that directory must exist.
# shellcheck disable=SC2016 # mmdebstrap itself expands $1 (the chroot) in the hook.
if ! mmdebstrap --variant=apt \
  --include="openjdk-${java_major}-jre-headless,curl,ca-certificates,passwd" \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --setup-hook='mkdir -p "$1/usr/share/man/man1"' \
  "$suite" "$work/rootfs.tar" "$mirror" >"$work/mmdebstrap.log" 2>&1; then
  echo "docker/base/build.sh: mmdebstrap $suite failed (see below)" >&2
  tail -n 20 "$work/mmdebstrap.log" >&2
  exit 1
fi

docker import \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["/bin/bash"]' \
  "$work/rootfs.tar" "$image" >/dev/null
