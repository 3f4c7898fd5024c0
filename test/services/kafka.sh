#!/usr/bin/env bash
# Apache Kafka (KRaft, one combined broker+controller) from Maven Central jars.
#   broker     PLAINTEXT 127.0.0.1:9092   (bootstrap.servers=127.0.0.1:9092)
#   broker     SASL_SSL  127.0.0.1:9094   SCRAM-SHA-512 user tributary / tributary-secret, server
#              certificate signed by a CA made here ($RUN_DIR/tls/ca.pem, PEM)
#   controller 127.0.0.1:9093
# Usage: kafka.sh up | down [--wipe] | status | install | info | smoke | run-class CLASS ARGS...
set -euo pipefail
SVC=kafka
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KAFKA_VERSION=3.9.2 # newest 3.9.x on Maven Central
KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093
KAFKA_SASL_SSL_PORT=9094
SCRAM_MECHANISM=SCRAM-SHA-512
SCRAM_USER=tributary
SCRAM_PASSWORD=tributary-secret
TLS_DIR="$RUN_DIR/tls"
# Written into the data dir once the SCRAM user exists in its metadata; --wipe removes both.
SCRAM_MARKER="$DATA_DIR/.tributary-scram-user"
KAFKA_HEAP="${KAFKA_HEAP:--Xms256m -Xmx512m}"
KAFKA_HOME="$DIST_ROOT/kafka-$KAFKA_VERSION"
SVC_PORTS="$KAFKA_PORT $KAFKA_CONTROLLER_PORT $KAFKA_SASL_SSL_PORT"
EXTRA_CMDS="info|smoke|run-class"

svc_info() { echo "bootstrap 127.0.0.1:$KAFKA_PORT, sasl_ssl 127.0.0.1:$KAFKA_SASL_SSL_PORT"; }

# info: key=value lines for scripts and tests (the CA file exists once `up` has run).
svc_cmd_info() {
  cat <<EOF
bootstrap=127.0.0.1:$KAFKA_PORT
sasl_ssl=127.0.0.1:$KAFKA_SASL_SSL_PORT
sasl_mechanism=$SCRAM_MECHANISM
sasl_username=$SCRAM_USER
sasl_password=$SCRAM_PASSWORD
ca=$TLS_DIR/ca.pem
controller=127.0.0.1:$KAFKA_CONTROLLER_PORT
log_dirs=$DATA_DIR
EOF
}

svc_install() {
  # kafka-tools brings the CLI classes (TopicCommand, console producer/consumer) and slf4j-reload4j,
  # the logging binding the broker itself lacks in its POM.
  mvn_lib_dir "$KAFKA_HOME" "
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>"
}

write_config() {
  mkdir -p "$RUN_DIR" "$DATA_DIR"
  cat >"$RUN_DIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=$SCRAM_MECHANISM
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PEM
ssl.keystore.location=$TLS_DIR/broker-keystore.pem
ssl.client.auth=none
log.dirs=$DATA_DIR
auto.create.topics.enable=true
delete.topic.enable=true
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
log.flush.interval.messages=1000000
log.retention.hours=24
log.segment.bytes=67108864
EOF
  cat >"$RUN_DIR/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.org.apache.kafka.controller=INFO
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
EOF
  cat >"$RUN_DIR/tools-log4j.properties" <<'EOF'
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
}

# run-class CLASS ARGS...: run a class from the Kafka jars (CLI tools), quiet logging, small heap.
svc_cmd_run-class() {
  svc_install
  [[ -f $RUN_DIR/tools-log4j.properties ]] || write_config
  java -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j.configuration="file:$RUN_DIR/tools-log4j.properties" \
    -cp "$KAFKA_HOME/lib/*" "$@"
}

# make_tls: a CA and a broker certificate for 127.0.0.1/localhost signed by it, made once (10 years).
# The broker reads its key and chain from one PEM file (unencrypted PKCS#8 key, then the certificates).
make_tls() {
  [[ -s $TLS_DIR/broker-keystore.pem && -s $TLS_DIR/ca.pem ]] && return 0
  need_cmd openssl openssl
  local tmp="$TLS_DIR.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  log "creating a CA and a broker certificate in $TLS_DIR"
  (
    cd "$tmp"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Tributary test CA" \
      -keyout ca.key -out ca.pem \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout broker.key -out broker.csr
    printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' >broker.ext
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile broker.ext -out broker.pem
    cat broker.key broker.pem ca.pem >broker-keystore.pem
    rm -f broker.csr broker.ext ca.srl
  ) >"$tmp/openssl.log" 2>&1 || { cat "$tmp/openssl.log" >&2; die "openssl failed"; }
  rm -f "$tmp/openssl.log"
  rm -rf "$TLS_DIR" && mv "$tmp" "$TLS_DIR"
}

svc_start() {
  need_java
  make_tls
  write_config
  if [[ ! -f $DATA_DIR/meta.properties ]]; then
    local cluster_id
    # a Kafka cluster id is 16 random bytes, base64url without padding
    cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    log "formatting $DATA_DIR (cluster id $cluster_id) with SCRAM user $SCRAM_USER"
    svc_cmd_run-class kafka.tools.StorageTool format --ignore-formatted \
      -t "$cluster_id" -c "$RUN_DIR/server.properties" \
      --add-scram "$SCRAM_MECHANISM=[name=$SCRAM_USER,password=$SCRAM_PASSWORD]" >>"$LOG_FILE" 2>&1 ||
      { show_log_tail 40; die "kafka storage format failed"; }
    touch "$SCRAM_MARKER"
  fi
  # shellcheck disable=SC2086
  spawn java $KAFKA_HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$RUN_DIR/log4j.properties" -Dkafka.logs.dir="$RUN_DIR" \
    -cp "$KAFKA_HOME/lib/*" kafka.Kafka "$RUN_DIR/server.properties"
}

# Ready = the broker answers a Metadata (v1) request over the wire and lists at least one live
# (unfenced) broker. Pure bash, so `up` on a running broker costs milliseconds, not a JVM start.
svc_ready() {
  local out
  out=$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$KAFKA_PORT
    printf '\x00\x00\x00\x13\x00\x03\x00\x01\x00\x00\x00\x2a\x00\x05probe\x00\x00\x00\x00' >&3
    head -c 12 <&3 | od -An -tu1") || return 1
  # shellcheck disable=SC2086
  set -- $out
  [[ $# -eq 12 && "$5 $6 $7 $8" == "0 0 0 42" ]] || return 1
  (( ($9 << 24) + (${10} << 16) + (${11} << 8) + ${12} > 0 ))
}

# Run by `up` once the broker is ready: a data dir formatted before the SASL_SSL listener existed gets
# the SCRAM user through the PLAINTEXT listener (KRaft keeps it in the metadata log: needed once).
svc_after_ready() {
  [[ -f $SCRAM_MARKER ]] && return 0
  log "adding SCRAM user $SCRAM_USER to the existing data dir"
  svc_cmd_run-class kafka.admin.ConfigCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --alter \
    --add-config "$SCRAM_MECHANISM=[password=$SCRAM_PASSWORD]" --entity-type users --entity-name "$SCRAM_USER" \
    >>"$LOG_FILE" 2>&1 || { show_log_tail 20; die "adding the SCRAM user failed"; }
  touch "$SCRAM_MARKER"
}

# smoke: create a topic, produce 3 records and consume them back with Kafka's own CLI classes.
svc_cmd_smoke() {
  local topic="tributary-smoke-$$" got
  svc_cmd_run-class org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
    --create --topic "$topic" --partitions 1 --replication-factor 1
  printf 'a\nb\nc\n' | svc_cmd_run-class kafka.tools.ConsoleProducer \
    --bootstrap-server "127.0.0.1:$KAFKA_PORT" --topic "$topic"
  got=$(svc_cmd_run-class org.apache.kafka.tools.consumer.ConsoleConsumer \
    --bootstrap-server "127.0.0.1:$KAFKA_PORT" --topic "$topic" --from-beginning \
    --max-messages 3 --timeout-ms 30000 2>/dev/null | tr '\n' ' ')
  svc_cmd_run-class org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
    --delete --topic "$topic"
  [[ $got == "a b c " ]] || die "smoke: expected 'a b c', consumed '$got'"
  log "smoke ok: created $topic, produced and consumed 3 records, deleted it"
}

service_main "$@"
