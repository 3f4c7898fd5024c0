import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.json.JsonConverter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One record set with every Connect type and logical type, as the lines Kafka's JsonConverter writes
 * for it: what a sink's JSON output must equal (schemas.enable=false, decimal.format BASE64 and NUMERIC)
 * and the envelopes (schemas.enable=true) that feed it to a worker. Rebuilt in TypeScript by
 * src/json/golden-records.ts; keep the two in step.
 */
public class SinkRecords {
    static final Schema POINT = SchemaBuilder.struct().name("sink.Point")
            .field("x", Schema.FLOAT64_SCHEMA)
            .field("y", Schema.FLOAT64_SCHEMA)
            .build();

    static final Schema INNER = SchemaBuilder.struct().name("sink.Inner")
            .field("name", Schema.STRING_SCHEMA)
            .field("at", POINT)
            .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
            .build();

    static final Schema OPTIONAL_INNER = SchemaBuilder.struct().name("sink.Inner").optional()
            .field("name", Schema.STRING_SCHEMA)
            .field("at", POINT)
            .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
            .build();

    static final Schema ALL = SchemaBuilder.struct().name("sink.AllTypes").version(1)
            .field("id", Schema.INT32_SCHEMA)
            .field("i8", Schema.INT8_SCHEMA)
            .field("i16", Schema.INT16_SCHEMA)
            .field("i32", Schema.INT32_SCHEMA)
            .field("i64", Schema.INT64_SCHEMA)
            .field("f32", Schema.FLOAT32_SCHEMA)
            .field("f64", Schema.FLOAT64_SCHEMA)
            .field("b", Schema.BOOLEAN_SCHEMA)
            .field("s", Schema.STRING_SCHEMA)
            .field("raw", Schema.BYTES_SCHEMA)
            .field("d2", Decimal.schema(2))
            .field("d0", Decimal.schema(0))
            .field("d10", Decimal.schema(10))
            .field("day", Date.SCHEMA)
            .field("tod", Time.SCHEMA)
            .field("ts", Timestamp.SCHEMA)
            .field("o_s", Schema.OPTIONAL_STRING_SCHEMA)
            .field("o_i64", Schema.OPTIONAL_INT64_SCHEMA)
            .field("o_f32", Schema.OPTIONAL_FLOAT32_SCHEMA)
            .field("o_d", Decimal.builder(3).optional().build())
            .field("o_ts", Timestamp.builder().optional().build())
            .field("o_inner", OPTIONAL_INNER)
            .field("ints", SchemaBuilder.array(Schema.INT32_SCHEMA).build())
            .field("doubles", SchemaBuilder.array(Schema.FLOAT64_SCHEMA).build())
            .field("floats", SchemaBuilder.array(Schema.FLOAT32_SCHEMA).build())
            .field("strs", SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).build())
            .field("points", SchemaBuilder.array(POINT).build())
            .field("by_name", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT64_SCHEMA).build())
            .field("by_id", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.INT32_SCHEMA).build())
            .field("inner", INNER)
            .build();

    /** Not finite: Kafka writes them as JSON strings, so they are kept apart from the set readers infer types from. */
    static final Schema SPECIAL = SchemaBuilder.struct().name("sink.Special")
            .field("id", Schema.INT32_SCHEMA)
            .field("f32", Schema.FLOAT32_SCHEMA)
            .field("f64", Schema.FLOAT64_SCHEMA)
            .build();

    static final long HOUR = 3_600_000L;
    /** 2024-03-01T10:00:00Z: each record one hour later, so an hourly partitioner puts each in its own object. */
    static final long T0 = 1709287200000L;

    static Struct point(double x, double y) {
        return new Struct(POINT).put("x", x).put("y", y);
    }

    static Struct inner(Schema schema, String name, Struct at, List<String> tags) {
        return new Struct(schema).put("name", name).put("at", at).put("tags", tags);
    }

    static <K, V> Map<K, V> map(K k1, V v1, K k2, V v2) {
        Map<K, V> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    static java.util.Date ms(long t) {
        return new java.util.Date(t);
    }

    static List<Struct> records() {
        List<Struct> out = new ArrayList<>();
        out.add(new Struct(ALL)
                .put("id", 0).put("i8", (byte) -128).put("i16", (short) -32768).put("i32", Integer.MIN_VALUE).put("i64", Long.MIN_VALUE)
                .put("f32", 0.4f).put("f64", 60.0).put("b", true).put("s", "plain")
                .put("raw", new byte[] {0, 1, 2, (byte) 255})
                .put("d2", new BigDecimal("12.30")).put("d0", new BigDecimal("-128")).put("d10", new BigDecimal("0.0000000001"))
                .put("day", ms(19782L * 86_400_000L)).put("tod", ms(0L)).put("ts", ms(T0))
                .put("o_s", "x").put("o_i64", 9007199254740993L).put("o_f32", 1.0e10f).put("o_d", new BigDecimal("1.234")).put("o_ts", ms(T0 + 1))
                .put("o_inner", inner(OPTIONAL_INNER, "opt", point(0.5, 0.25), List.of("t")))
                .put("ints", List.of(1, 2, 3))
                .put("doubles", List.of(1.0e-7, 123456789.0, 0.1 + 0.2, 1.0e21, 0.001, 1.0e7, 9999999.0, 100.0))
                .put("floats", List.of(0.1f, 1.0e-5f, 3.14f, 16777216f, 1.17549435e-38f, 2.5f))
                .put("strs", List.of("a", "b"))
                .put("points", List.of(point(1.5, -2.0), point(0.0, 1.0)))
                .put("by_name", map("a", 1L, "b", 2L))
                .put("by_id", map(1, 10, -2, 20))
                .put("inner", inner(INNER, "first", point(3.0, 4.0), List.of("x", "y"))));
        out.add(new Struct(ALL)
                .put("id", 1).put("i8", (byte) 127).put("i16", (short) 32767).put("i32", Integer.MAX_VALUE).put("i64", Long.MAX_VALUE)
                .put("f32", -0.0f).put("f64", 22.5).put("b", false)
                .put("s", "q\"uote\\ back\nline\ttab \u00e9 \u2603 \ud83d\ude00 \u0001 </script>")
                .put("raw", new byte[0])
                .put("d2", new BigDecimal("-0.01")).put("d0", new BigDecimal("0")).put("d10", new BigDecimal("-123456789012.3456789012"))
                .put("day", ms(-86_400_000L)).put("tod", ms(86_399_999L)).put("ts", ms(T0 + HOUR))
                .put("o_s", null).put("o_i64", null).put("o_f32", null).put("o_d", null).put("o_ts", null).put("o_inner", null)
                .put("ints", List.of()).put("doubles", List.of()).put("floats", List.of()).put("strs", List.of())
                .put("points", List.of())
                .put("by_name", map("a", -1L, "b", 0L))
                .put("by_id", new LinkedHashMap<Integer, Integer>())
                .put("inner", inner(INNER, "", point(-0.0, 1.0e-300), List.of())));
        out.add(new Struct(ALL)
                .put("id", 2).put("i8", (byte) 0).put("i16", (short) 0).put("i32", 0).put("i64", 0L)
                .put("f32", Float.MAX_VALUE).put("f64", Double.MAX_VALUE).put("b", true).put("s", "")
                .put("raw", new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef})
                .put("d2", new BigDecimal("-123456789012345678901234567890.12")).put("d0", new BigDecimal("128"))
                .put("d10", new BigDecimal("0E-10"))
                .put("day", ms(0L)).put("tod", ms(48_659_123L)).put("ts", ms(T0 + 2 * HOUR))
                .put("o_s", "").put("o_i64", -1L).put("o_f32", -1.5f).put("o_d", new BigDecimal("-0.001")).put("o_ts", ms(0L))
                .put("o_inner", null)
                .put("ints", List.of(-1)).put("doubles", List.of(-2.5)).put("floats", List.of(-0.4f)).put("strs", List.of(""))
                .put("points", List.of(point(1.0e10, -1.0e-10)))
                .put("by_name", map("a", 9007199254740993L, "b", -9007199254740993L))
                .put("by_id", map(Integer.MAX_VALUE, Integer.MIN_VALUE, 0, 0))
                .put("inner", inner(INNER, "third", point(2.0, 2.0), List.of("z"))));
        out.add(new Struct(ALL)
                .put("id", 3).put("i8", (byte) 1).put("i16", (short) -1).put("i32", 1).put("i64", 1L)
                .put("f32", Float.MIN_VALUE).put("f64", Double.MIN_VALUE).put("b", false).put("s", "last")
                .put("raw", new byte[] {0})
                .put("d2", new BigDecimal("0.50")).put("d0", new BigDecimal("99999999999999999999")).put("d10", new BigDecimal("1.0000000000"))
                .put("day", ms(2_932_896L * 86_400_000L)).put("tod", ms(1L)).put("ts", ms(T0 + 3 * HOUR))
                .put("o_s", null).put("o_i64", 42L).put("o_f32", null).put("o_d", null).put("o_ts", ms(T0 + 3 * HOUR + 999))
                .put("o_inner", inner(OPTIONAL_INNER, "back", point(-1.0, -1.0), List.of()))
                .put("ints", List.of(Integer.MAX_VALUE, Integer.MIN_VALUE))
                .put("doubles", List.of(4.9e-324, -1.7976931348623157e308, 1.0))
                .put("floats", List.of(1.4e-45f, -3.4028235e38f, 1.0f))
                .put("strs", List.of("z"))
                .put("points", List.of(point(0.1, 0.2)))
                .put("by_name", map("a", 3L, "b", 4L))
                .put("by_id", map(5, 6, 7, 8))
                .put("inner", inner(INNER, "fourth", point(-0.5, 0.75), List.of("p", "q"))));
        return out;
    }

    static List<Struct> specials() {
        List<Struct> out = new ArrayList<>();
        out.add(new Struct(SPECIAL).put("id", 0).put("f32", Float.NaN).put("f64", Double.NaN));
        out.add(new Struct(SPECIAL).put("id", 1).put("f32", Float.POSITIVE_INFINITY).put("f64", Double.POSITIVE_INFINITY));
        out.add(new Struct(SPECIAL).put("id", 2).put("f32", Float.NEGATIVE_INFINITY).put("f64", Double.NEGATIVE_INFINITY));
        return out;
    }

    static JsonConverter converter(Map<String, String> cfg) {
        JsonConverter c = new JsonConverter();
        c.configure(cfg, false);
        return c;
    }

    /** One line per record, each ended by a newline (what an S3 JSON object holds). */
    static void lines(Path file, JsonConverter c, List<Struct> records) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (Struct r : records) {
            bytes.write(c.fromConnectData("t", r.schema(), r));
            bytes.write('\n');
        }
        Files.write(file, bytes.toByteArray());
    }

    static void write(Path out) throws IOException {
        Path dir = out.resolve("records");
        Files.createDirectories(dir);
        JsonConverter plain = converter(Map.of("schemas.enable", "false"));
        JsonConverter numeric = converter(Map.of("schemas.enable", "false", "decimal.format", "NUMERIC"));
        JsonConverter envelope = converter(Map.of());
        lines(dir.resolve("all-types.jsonl"), plain, records());
        lines(dir.resolve("all-types.numeric.jsonl"), numeric, records());
        lines(dir.resolve("all-types.envelope.jsonl"), envelope, records());
        lines(dir.resolve("specials.jsonl"), plain, specials());
        lines(dir.resolve("specials.envelope.jsonl"), envelope, specials());
    }
}
