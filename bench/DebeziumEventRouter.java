// Debezium's own outbox EventRouter SMT (io.debezium.transforms.outbox.EventRouter, from debezium-core) applied
// to the change events Debezium wrote to a topic, for bench/debezium-compare.mjs. The records are read back
// with the worker's converters (JsonConverter with schemas, SimpleHeaderConverter), given to the SMT exactly as
// Kafka Connect gives a SourceRecord to a transformation, and the routed records are written with the same
// converters. (Inside a Kafka Connect 3.9 ConnectStandalone worker the EventRouter never finishes creating the
// connector: POST /connectors times out with nothing logged; run this way, it is the same class on the same
// records.)
//   java -cp '<connect lib>/*:<debezium plugin>/*' bench/DebeziumEventRouter.java <bootstrap> <topic> <count>
//        [smt.key=value ...]
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;

import io.debezium.transforms.outbox.EventRouter;

public class DebeziumEventRouter {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0], topic = args[1];
        int want = Integer.parseInt(args[2]);
        Map<String, String> smt = new HashMap<>();
        for (int i = 3; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            smt.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        JsonConverter keys = new JsonConverter(), values = new JsonConverter();
        keys.configure(Map.of("schemas.enable", "true"), true);
        values.configure(Map.of("schemas.enable", "true"), false);
        SimpleHeaderConverter headers = new SimpleHeaderConverter();
        headers.configure(Map.of());
        EventRouter<SourceRecord> router = new EventRouter<>();
        router.configure(smt);

        Properties cp = new Properties();
        cp.put("bootstrap.servers", bootstrap);
        cp.put("group.id", "dbz-event-router-" + UUID.randomUUID());
        cp.put("key.deserializer", ByteArrayDeserializer.class.getName());
        cp.put("value.deserializer", ByteArrayDeserializer.class.getName());
        Properties pp = new Properties();
        pp.put("bootstrap.servers", bootstrap);
        pp.put("key.serializer", ByteArraySerializer.class.getName());
        pp.put("value.serializer", ByteArraySerializer.class.getName());
        int seen = 0, routed = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp);
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.currentTimeMillis() + 60_000;
            while (seen < want && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    seen++;
                    SchemaAndValue k = keys.toConnectData(topic, r.key());
                    SchemaAndValue v = values.toConnectData(topic, r.value());
                    ConnectHeaders hs = new ConnectHeaders();
                    for (org.apache.kafka.common.header.Header h : r.headers())
                        hs.add(h.key(), headers.toConnectHeader(topic, h.key(), h.value()));
                    SourceRecord in = new SourceRecord(Map.of(), Map.of(), topic, r.partition(), k.schema(), k.value(),
                            v.schema(), v.value(), r.timestamp(), hs);
                    SourceRecord out = router.apply(in);
                    if (out == null)
                        continue;
                    ProducerRecord<byte[], byte[]> pr = new ProducerRecord<>(out.topic(), out.kafkaPartition(),
                            out.timestamp(), keys.fromConnectData(out.topic(), out.keySchema(), out.key()),
                            values.fromConnectData(out.topic(), out.valueSchema(), out.value()));
                    for (Header h : out.headers())
                        pr.headers().add(h.key(), headers.fromConnectHeader(out.topic(), h.key(), h.schema(), h.value()));
                    producer.send(pr).get();
                    routed++;
                }
            }
        }
        System.out.println("read " + seen + " records of " + topic + ", routed " + routed);
        if (seen < want)
            System.exit(1);
    }
}
