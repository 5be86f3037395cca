#!/bin/bash
# Runs FIREDRILL_NODES OpenSearch nodes in this one JVM: node 1 answers HTTP on 9200, node i on 9199+i.
set -euo pipefail

nodes="${FIREDRILL_NODES:-1}"
if [[ ! "$nodes" =~ ^[1-9]$ ]]; then
  echo "FIREDRILL_NODES must be a number from 1 to 9, got '$nodes'" >&2
  exit 2
fi
home=/var/lib/firedrill

# The runner copies its default opensearch.yml only where none exists, so seed ours first. HTTP must
# listen on every interface for the published port to answer; transport stays on loopback, where
# the nodes of this JVM discover each other and no production bootstrap checks apply.
for ((i = 1; i <= nodes; i++)); do
  config="$home/node_$i/config"
  mkdir -p "$config"
  [[ -f "$config/opensearch.yml" ]] || cat >"$config/opensearch.yml" <<'YML'
http.host: 0.0.0.0
# A dev cluster on a nearly full disk should keep accepting writes instead of going read-only.
cluster.routing.allocation.disk.threshold_enabled: false
YML
done

# shellcheck disable=SC2086 # FIREDRILL_JAVA_OPTS holds several JVM options.
# The launcher gives every node the ingest role and pins ports: HTTP 9200.., transport 9300...
exec java $FIREDRILL_JAVA_OPTS -cp '/opt/firedrill/lib/*:/opt/firedrill/classes' FiredrillLauncher \
  --base-path "$home" --nodes "$nodes" --http-port 9200 --transport-port 9300 --cluster-name "$FIREDRILL_CLUSTER_NAME"
