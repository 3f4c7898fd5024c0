#!/usr/bin/env bash
# Elasticsearch 8 single node, http://127.0.0.1:9200, no security (no TLS, no auth).
#
# Source: Elastic publishes one runnable 8.x distribution on Maven Central, the "integ-test-zip"
# (org.elasticsearch.distribution.integ-test-zip:elasticsearch). It is the real ES server with only
# the modules transport-netty4 (HTTP), x-pack-core, x-pack-security (disabled here) and apm, so:
# index/bulk/get/delete/search/mappings/aliases/core aggregations work; painless scripts, ingest
# pipelines, reindex/update_by_query and analysis-common analyzers do not. Its missing `GET /` and
# `HEAD /` (rest-root module; clients' info() and ping()) are added by elasticsearch-root/, built here.
# ES refuses to run as root; as root it runs in a user namespace (see NON_ROOT in lib.sh).
# Usage: elasticsearch.sh up | down [--wipe] | status | install
set -euo pipefail
SVC=elasticsearch
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ES_VERSION=8.19.21 # newest 8.x integ-test-zip on Maven Central
ES_PORT=9200
ES_HEAP="${ES_HEAP:-512m}"
ES_HOME="$DIST_ROOT/elasticsearch-$ES_VERSION"
SVC_PORTS="$ES_PORT 9300"

svc_info() { echo "http://127.0.0.1:$ES_PORT"; }

svc_install() {
  mvn_unpack "org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" "$ES_HOME"
  install_root_module
}

# Build elasticsearch-root/RootEndpointPlugin.java (GET / and HEAD /) against the distribution's
# jars and add it as a module. Rebuilt when the source changes.
install_root_module() {
  local src="$SERVICES_DIR/elasticsearch-root/RootEndpointPlugin.java" mod="$ES_HOME/modules/tributary-root"
  local sum
  sum=$(sha256sum "$src" | cut -c1-16)
  [[ $(cat "$mod/.source-sum" 2>/dev/null) == "$sum" ]] && return 0
  need_cmd javac openjdk-17-jdk-headless
  log "compiling the GET / module for Elasticsearch"
  local tmp
  tmp=$(mktemp -d)
  javac -nowarn --release 17 -cp "$ES_HOME/lib/*" -d "$tmp/classes" "$src" >"$tmp/javac.log" 2>&1 ||
    { cat "$tmp/javac.log" >&2; die "javac failed"; }
  rm -rf "$mod" && mkdir -p "$mod"
  (cd "$tmp/classes" && jar cf "$mod/tributary-root-$ES_VERSION.jar" .)
  cat >"$mod/plugin-descriptor.properties" <<EOF
description=GET / and HEAD / (the integ-test-zip has no rest-root module)
version=$ES_VERSION
name=tributary-root
classname=tributary.es.RootEndpointPlugin
java.version=17
elasticsearch.version=$ES_VERSION
EOF
  echo "$sum" >"$mod/.source-sum"
  rm -rf "$tmp"
}

write_config() {
  local conf="$RUN_DIR/config"
  mkdir -p "$DATA_DIR" "$RUN_DIR/logs" "$RUN_DIR/tmp"
  if [[ ! -f $conf/jvm.options ]]; then
    rm -rf "$conf" && cp -r "$ES_HOME/config" "$conf"
  fi
  cat >"$conf/elasticsearch.yml" <<EOF
cluster.name: tributary
node.name: tributary-es
discovery.type: single-node
network.host: 127.0.0.1
http.port: $ES_PORT
transport.port: 9300
path.data: $DATA_DIR
path.logs: $RUN_DIR/logs
xpack.security.enabled: false
# tests: don't go read-only on a nearly full disk, allow wildcard index deletes
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
EOF
  printf -- '-Xms%s\n-Xmx%s\n-Xlog:disable\n-Xlog:all=warning:stderr:uptime,level,tags\n' "$ES_HEAP" "$ES_HEAP" \
    >"$conf/jvm.options.d/tributary.options"
}

svc_start() {
  need_java
  if [[ ${#NON_ROOT[@]} -gt 0 ]] && ! "${NON_ROOT[@]}" true 2>/dev/null; then
    die "Elasticsearch refuses to run as root and user namespaces are not available here; run as a non-root user"
  fi
  write_config
  local java_home
  java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  cd "$RUN_DIR"
  ES_JAVA_HOME="$java_home" ES_PATH_CONF="$RUN_DIR/config" ES_TMPDIR="$RUN_DIR/tmp" \
    spawn "${NON_ROOT[@]}" "$ES_HOME/bin/elasticsearch"
}

svc_ready() {
  curl -sf -m 3 "http://127.0.0.1:$ES_PORT/_cluster/health?wait_for_status=yellow&timeout=2s" |
    grep -qE '"status":"(yellow|green)"'
}

service_main "$@"
