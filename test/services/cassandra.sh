#!/usr/bin/env bash
# Apache Cassandra 5.0 single node from Maven Central jars (org.apache.cassandra:cassandra-all).
#   CQL 127.0.0.1:9042, no auth (AllowAllAuthenticator), datacenter `datacenter1`
# Usage: cassandra.sh up | down [--wipe] | status | install | cql-version
set -euo pipefail
SVC=cassandra
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CASSANDRA_VERSION=5.0.9 # newest 5.0.x on Maven Central
CQL_PORT=9042
CASSANDRA_HEAP="${CASSANDRA_HEAP:-768m}"
CASSANDRA_HOME="$DIST_ROOT/cassandra-$CASSANDRA_VERSION"
SVC_PORTS="$CQL_PORT 7000"
EXTRA_CMDS="cql-version"

svc_info() { echo "cql 127.0.0.1:$CQL_PORT"; }

svc_install() {
  mvn_lib_dir "$CASSANDRA_HOME" "
    <dependency><groupId>org.apache.cassandra</groupId><artifactId>cassandra-all</artifactId><version>$CASSANDRA_VERSION</version></dependency>"
}

write_config() {
  mkdir -p "$DATA_DIR"/{data,commitlog,saved_caches,hints,cdc_raw,triggers,tmp}
  # keys checked against 5.0's Config; unknown keys make startup fail
  cat >"$RUN_DIR/cassandra.yaml" <<EOF
cluster_name: tributary
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
num_tokens: 1
storage_port: 7000
native_transport_port: $CQL_PORT
start_native_transport: true
listen_address: 127.0.0.1
rpc_address: 127.0.0.1
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters: [{ seeds: "127.0.0.1:7000" }]
authenticator: AllowAllAuthenticator
authorizer: AllowAllAuthorizer
data_file_directories: [$DATA_DIR/data]
commitlog_directory: $DATA_DIR/commitlog
saved_caches_directory: $DATA_DIR/saved_caches
hints_directory: $DATA_DIR/hints
cdc_raw_directory: $DATA_DIR/cdc_raw
commitlog_sync: periodic
commitlog_sync_period: 10s
commitlog_segment_size: 8MiB
auto_snapshot: false
memtable_allocation_type: heap_buffers
disk_access_mode: standard
concurrent_reads: 8
concurrent_writes: 8
concurrent_counter_writes: 8
materialized_views_enabled: true
sasi_indexes_enabled: true
user_defined_functions_enabled: true
EOF
  cat >"$RUN_DIR/logback.xml" <<'EOF'
<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <logger name="org.apache.cassandra" level="INFO"/>
  <logger name="com.datastax" level="WARN"/>
  <root level="WARN"><appender-ref ref="STDOUT"/></root>
</configuration>
EOF
}

svc_start() {
  need_java
  write_config
  local jamm
  jamm=$(find "$CASSANDRA_HOME/lib" -name 'jamm-*.jar' | head -n1)
  # JVM flags from conf/jvm17-server.options and conf/jvm-server.options of Cassandra 5.0
  local opens=(
    --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
    --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED
    --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED
    --add-exports java.sql/java.sql=ALL-UNNAMED --add-exports java.base/java.lang.ref=ALL-UNNAMED
    --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED
    --add-exports jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
    --add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED
    --add-opens java.base/java.lang.module=ALL-UNNAMED --add-opens java.base/jdk.internal.loader=ALL-UNNAMED
    --add-opens java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED
    --add-opens java.base/jdk.internal.math=ALL-UNNAMED --add-opens java.base/jdk.internal.module=ALL-UNNAMED
    --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED
    --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED
    --add-opens java.base/java.lang.reflect=ALL-UNNAMED --add-opens jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
    --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.util=ALL-UNNAMED
    --add-opens java.base/java.nio=ALL-UNNAMED
  )
  spawn java -Xms"$CASSANDRA_HEAP" -Xmx"$CASSANDRA_HEAP" -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
    -Xss256k -XX:+UseStringDeduplication -Djava.awt.headless=true \
    -javaagent:"$jamm" -Djdk.attach.allowAttachSelf=true -Dio.netty.tryReflectionSetAccessible=true \
    "${opens[@]}" \
    -Dcassandra-foreground=yes -Dcassandra.storagedir="$DATA_DIR" \
    -Dcassandra.config="file://$RUN_DIR/cassandra.yaml" -Dcassandra.triggers_dir="$DATA_DIR/triggers" \
    -Dlogback.configurationFile="$RUN_DIR/logback.xml" -Dcassandra.logdir="$RUN_DIR" \
    -Djava.io.tmpdir="$DATA_DIR/tmp" -Djava.net.preferIPv4Stack=true \
    -Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.ring_delay_ms=1000 \
    -Dcassandra.superuser_setup_delay_ms=0 -Dcassandra.auto_bootstrap=false \
    -cp "$CASSANDRA_HOME/lib/*" org.apache.cassandra.service.CassandraDaemon
}

# cql_release_version: speak CQL native protocol v4 from bash (no driver needed):
# STARTUP, then QUERY "SELECT release_version FROM system.local"; prints the version.
cql_release_version() {
  # shellcheck disable=SC2016
  timeout 5 bash -c '
    exec 3<>/dev/tcp/127.0.0.1/'"$CQL_PORT"'
    hdr() { dd bs=1 count=9 <&3 2>/dev/null | od -An -tu1; }
    printf "\x04\x00\x00\x01\x01\x00\x00\x00\x16\x00\x01\x00\x0bCQL_VERSION\x00\x053.0.0" >&3
    set -- $(hdr); [[ ${5:-} == 2 ]] || exit 1                       # READY
    q="SELECT release_version FROM system.local"                       # 40 bytes
    printf "\x04\x00\x00\x02\x07\x00\x00\x00\x2f\x00\x00\x00\x28%s\x00\x01\x00" "$q" >&3
    set -- $(hdr); [[ ${5:-} == 8 ]] || exit 1                       # RESULT
    len=$(( ($6 << 24) + ($7 << 16) + ($8 << 8) + $9 ))
    dd bs=1 count=$len <&3 2>/dev/null | tr -c "[:print:]" " " |
      grep -oE "[0-9]+\.[0-9]+(\.[0-9]+)?[^ ]*\s*$" | tr -d " "
  '
}

svc_ready() { [[ -n $(cql_release_version) ]]; }

svc_cmd_cql-version() { cql_release_version; }

service_main "$@"
