import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the bytes Kafka's JsonConverter produces for a fixed set of Connect values, one file per case.
 * The TypeScript tests (src/json/json-converter.golden.test.ts) rebuild the same cases by name and
 * compare our bytes with these. Keep the case names and values in step with that file.
 */
public class Golden {
    private static Path out;

    public static void main(String[] args) throws IOException {
        out = Path.of(args[0]);
        schemas(converter(Map.of()), "schemas");
        schemaless(converter(Map.of("schemas.enable", "false")), "schemaless");
        numeric(converter(Map.of("decimal.format", "NUMERIC")), "numeric");
        noDefault(converter(Map.of("replace.null.with.default", "false")), "no-default");
        errors();
        headers();
        SinkRecords.write(out);
    }

    private static JsonConverter converter(Map<String, String> cfg) {
        JsonConverter c = new JsonConverter();
        c.configure(cfg, false);
        return c;
    }

    private static void write(JsonConverter c, String group, String name, Schema schema, Object value) throws IOException {
        byte[] bytes = c.fromConnectData("t", schema, value);
        Path dir = out.resolve(group);
        Files.createDirectories(dir);
        Files.write(dir.resolve(name + ".json"), bytes == null ? "<null>".getBytes(StandardCharsets.UTF_8) : bytes);
    }

    static final Schema ADDRESS = SchemaBuilder.struct().name("shop.Address").optional()
            .field("street", Schema.STRING_SCHEMA)
            .field("zip", Schema.OPTIONAL_INT32_SCHEMA)
            .build();

    static final Schema ORDER = SchemaBuilder.struct().name("shop.Order").version(3).doc("An order")
            .parameter("owner", "sales").parameter("a.param", "1")
            .field("id", Schema.INT64_SCHEMA)
            .field("note", Schema.OPTIONAL_STRING_SCHEMA)
            .field("qty", SchemaBuilder.int16().defaultValue((short) 1).build())
            .field("amount", Decimal.schema(2))
            .field("ts", Timestamp.SCHEMA)
            .field("day", Date.builder().optional().build())
            .field("at", Time.SCHEMA)
            .field("ok", Schema.BOOLEAN_SCHEMA)
            .field("ratio", Schema.FLOAT32_SCHEMA)
            .field("score", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("raw", Schema.OPTIONAL_BYTES_SCHEMA)
            .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
            .field("attrs", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA).optional().build())
            .field("address", ADDRESS)
            .build();

    static java.util.Date utc(long ms) {
        return new java.util.Date(ms);
    }

    static Struct order() {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("colour", "red");
        attrs.put("size", null);
        return new Struct(ORDER)
                .put("id", 9007199254740993L)
                .put("note", null)
                .put("amount", new BigDecimal("12.30"))
                .put("ts", utc(1700000000123L))
                .put("day", utc(19782L * 86400000L))
                .put("at", utc(48659123L))
                .put("ok", true)
                .put("ratio", 0.1f)
                .put("score", 2.5e-8)
                .put("raw", new byte[] {0, 1, 2, (byte) 255})
                .put("tags", List.of("a", "b"))
                .put("attrs", attrs)
                .put("address", new Struct(ADDRESS).put("street", "1 Main St").put("zip", 12345));
    }

    static void schemas(JsonConverter c, String g) throws IOException {
        write(c, g, "boolean", Schema.BOOLEAN_SCHEMA, true);
        write(c, g, "int8", Schema.INT8_SCHEMA, (byte) -128);
        write(c, g, "int16", Schema.INT16_SCHEMA, (short) 32767);
        write(c, g, "int32", Schema.INT32_SCHEMA, -2147483648);
        write(c, g, "int64-max", Schema.INT64_SCHEMA, Long.MAX_VALUE);
        write(c, g, "int64-min", Schema.INT64_SCHEMA, Long.MIN_VALUE);
        write(c, g, "int64-small", Schema.INT64_SCHEMA, 42L);
        write(c, g, "float32", Schema.FLOAT32_SCHEMA, 3.14f);
        write(c, g, "float32-big", Schema.FLOAT32_SCHEMA, 1.0e10f);
        write(c, g, "float32-tiny", Schema.FLOAT32_SCHEMA, 1.25e-5f);
        write(c, g, "float64", Schema.FLOAT64_SCHEMA, 0.1 + 0.2);
        write(c, g, "float64-whole", Schema.FLOAT64_SCHEMA, 5.0);
        write(c, g, "float64-negzero", Schema.FLOAT64_SCHEMA, -0.0);
        write(c, g, "float64-small", Schema.FLOAT64_SCHEMA, 0.001);
        write(c, g, "float64-smaller", Schema.FLOAT64_SCHEMA, 0.0001);
        write(c, g, "float64-large", Schema.FLOAT64_SCHEMA, 9999999.0);
        write(c, g, "float64-larger", Schema.FLOAT64_SCHEMA, 10000000.0);
        write(c, g, "float64-max", Schema.FLOAT64_SCHEMA, Double.MAX_VALUE);
        write(c, g, "float64-min", Schema.FLOAT64_SCHEMA, Double.MIN_VALUE);
        write(c, g, "float64-nan", Schema.FLOAT64_SCHEMA, Double.NaN);
        write(c, g, "float64-inf", Schema.FLOAT64_SCHEMA, Double.NEGATIVE_INFINITY);
        write(c, g, "string", Schema.STRING_SCHEMA, "h\u00e9llo \"q\" \\ / \n\t\r\b\f \u0001\u001f\u007f \u2028 \u2603 \ud83d\ude00 </script>");
        write(c, g, "string-empty", Schema.STRING_SCHEMA, "");
        write(c, g, "bytes", Schema.BYTES_SCHEMA, new byte[] {0, 1, 2, (byte) 255, (byte) 0xfe});
        write(c, g, "bytes-empty", Schema.BYTES_SCHEMA, new byte[0]);
        write(c, g, "optional-null", Schema.OPTIONAL_STRING_SCHEMA, null);
        write(c, g, "default-used", SchemaBuilder.string().defaultValue("dflt").build(), null);
        write(c, g, "default-optional", SchemaBuilder.int32().optional().defaultValue(7).build(), null);
        write(c, g, "default-present", SchemaBuilder.int32().optional().defaultValue(7).build(), 8);
        write(c, g, "named-primitive", SchemaBuilder.string().name("my.Name").version(2).doc("d\"oc").build(), "v");
        write(c, g, "array-int32", SchemaBuilder.array(Schema.INT32_SCHEMA).build(), List.of(1, 2, 3));
        write(c, g, "array-empty", SchemaBuilder.array(Schema.INT32_SCHEMA).build(), List.of());
        write(c, g, "array-optional-strings", SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build(),
                Arrays.asList("a", null, "c"));
        Map<String, Integer> sm = new LinkedHashMap<>();
        sm.put("one", 1);
        sm.put("two", 2);
        write(c, g, "map-string-keys", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build(), sm);
        Map<Integer, String> im = new LinkedHashMap<>();
        im.put(1, "one");
        im.put(-2, "minus two");
        write(c, g, "map-int-keys", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build(), im);
        Map<Struct, Boolean> stm = new LinkedHashMap<>();
        stm.put(new Struct(ADDRESS).put("street", "x").put("zip", null), false);
        write(c, g, "map-struct-keys", SchemaBuilder.map(ADDRESS, Schema.BOOLEAN_SCHEMA).build(), stm);
        write(c, g, "decimal", Decimal.schema(2), new BigDecimal("12.30"));
        write(c, g, "decimal-negative", Decimal.schema(2), new BigDecimal("-0.01"));
        write(c, g, "decimal-big", Decimal.schema(4), new BigDecimal("-123456789012345678901234567890.1234"));
        write(c, g, "decimal-zero-scale", Decimal.schema(0), new BigDecimal("128"));
        write(c, g, "date", Date.SCHEMA, utc(19782L * 86400000L));
        write(c, g, "date-before-epoch", Date.SCHEMA, utc(-1L * 86400000L));
        write(c, g, "time", Time.SCHEMA, utc(48659123L));
        write(c, g, "timestamp", Timestamp.SCHEMA, utc(1700000000123L));
        write(c, g, "timestamp-default", Timestamp.builder().defaultValue(utc(0L)).build(), null);
        write(c, g, "struct-order", ORDER, order());
        write(c, g, "struct-optional-null", ADDRESS, null);
        Schema withDefaults = SchemaBuilder.struct().name("d")
                .field("s", SchemaBuilder.string().optional().defaultValue("x").build())
                .field("dec", Decimal.builder(1).defaultValue(new BigDecimal("0.5")).build())
                .build();
        write(c, g, "struct-field-defaults", withDefaults, new Struct(withDefaults));
        Schema nested = SchemaBuilder.struct()
                .field("list", SchemaBuilder.array(ADDRESS).build())
                .field("byId", SchemaBuilder.map(Schema.INT64_SCHEMA, ADDRESS).build())
                .build();
        Map<Long, Struct> byId = new LinkedHashMap<>();
        byId.put(7L, new Struct(ADDRESS).put("street", "s7"));
        write(c, g, "struct-nested", nested, new Struct(nested)
                .put("list", Arrays.asList(new Struct(ADDRESS).put("street", "s1").put("zip", 1), null))
                .put("byId", byId));
        Map<String, Object> free = new LinkedHashMap<>();
        free.put("a", 1L);
        free.put("b", List.of("x", true));
        write(c, g, "null-schema", null, free);
        write(c, g, "tombstone", null, null);
    }

    static void schemaless(JsonConverter c, String g) throws IOException {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("n", null);
        inner.put("f", 1.5);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", 42L);
        m.put("name", "x\u00e9");
        m.put("ok", false);
        m.put("big", 9007199254740993L);
        m.put("list", Arrays.asList(1L, "two", null, 3.25));
        m.put("inner", inner);
        m.put("raw", new byte[] {1, 2, 3});
        write(c, g, "map", null, m);
        Map<Object, Object> nk = new LinkedHashMap<>();
        nk.put(1L, "one");
        nk.put("two", 2L);
        write(c, g, "map-mixed-keys", null, nk);
        write(c, g, "string", null, "plain");
        write(c, g, "int64", null, 7L);
        write(c, g, "float64", null, 0.5);
        write(c, g, "bytes", null, new byte[] {(byte) 0xde, (byte) 0xad});
        write(c, g, "list", null, List.of(1L, 2L));
        write(c, g, "struct-with-schema", ORDER, order());
        write(c, g, "decimal-with-schema", Decimal.schema(2), new BigDecimal("12.30"));
        write(c, g, "tombstone", null, null);
    }

    static void numeric(JsonConverter c, String g) throws IOException {
        write(c, g, "decimal", Decimal.schema(2), new BigDecimal("12.30"));
        write(c, g, "decimal-negative", Decimal.schema(2), new BigDecimal("-0.01"));
        write(c, g, "decimal-tiny", Decimal.schema(10), new BigDecimal("0.0000000001"));
        write(c, g, "decimal-zero-scale", Decimal.schema(0), new BigDecimal("128"));
        write(c, g, "decimal-big", Decimal.schema(4), new BigDecimal("-123456789012345678901234567890.1234"));
    }

    static void noDefault(JsonConverter c, String g) throws IOException {
        write(c, g, "default-optional", SchemaBuilder.int32().optional().defaultValue(7).build(), null);
        Schema withDefaults = SchemaBuilder.struct().name("d")
                .field("s", SchemaBuilder.string().optional().defaultValue("x").build())
                .build();
        write(c, g, "struct-field-defaults", withDefaults, new Struct(withDefaults));
    }

    // The messages Kafka's toConnectData throws for bad input, one "input\tmessage" line each.
    static void errors() throws IOException {
        JsonConverter c = converter(Map.of());
        String[] inputs = {
            "{\"payload\":1}",
            "{\"schema\":null,\"payload\":1,\"x\":2}",
            "[1]",
            "{\"schema\":{\"type\":\"float32\",\"optional\":false},\"payload\":1}",
            "{\"schema\":{\"optional\":false},\"payload\":1}",
            "{\"schema\":{\"type\":\"int32\",\"optional\":false},\"payload\":null}",
            "{\"schema\":{\"type\":\"struct\",\"optional\":false},\"payload\":{}}",
            "{\"schema\":{\"type\":\"array\",\"optional\":false},\"payload\":[]}",
            "{\"schema\":{\"type\":\"map\",\"keys\":{\"type\":\"int32\",\"optional\":false},\"values\":{\"type\":\"int32\",\"optional\":false},\"optional\":false},\"payload\":{}}",
            "{\"schema\":{\"type\":\"struct\",\"fields\":[],\"optional\":false},\"payload\":[]}",
        };
        StringBuilder sb = new StringBuilder();
        for (String in : inputs) {
            try {
                c.toConnectData("t", in.getBytes(StandardCharsets.UTF_8));
                sb.append(in).append('\t').append("<no error>").append('\n');
            } catch (Exception e) {
                sb.append(in).append('\t').append(e.getMessage()).append('\n');
            }
        }
        Files.writeString(out.resolve("errors.tsv"), sb.toString());
    }

    // SimpleHeaderConverter: what strings read back as ("input\tschema\tvalue") and what values write as.
    static void headers() throws IOException {
        SimpleHeaderConverter c = new SimpleHeaderConverter();
        c.configure(Map.of());
        String[] inputs = {
            "", "null", "true", "FALSE", "42", "-129", "40000", "3000000000", "12345678901234567890", "1.5", "-0.25",
            "1e3", "3.4028236E38", "hello", "hello world", " padded ", "[1,2,3]", "[1,\"a\"]", "{\"a\":1,\"b\":2}",
            "{\"k\":\"v\"}", "[]", "{}", "2024-02-29", "13:30:59.123Z", "2024-02-29T13:30:59.123Z", "\"quoted\"",
            "[1, 2", "a,b", "{\"a\":[1,2]}", "0", "007", "1.0",
        };
        StringBuilder sb = new StringBuilder();
        for (String in : inputs) {
            String result;
            try {
                SchemaAndValue sv = c.toConnectHeader("t", "h", in.getBytes(StandardCharsets.UTF_8));
                Schema s = sv == null ? null : sv.schema();
                String type = s == null ? "null" : s.type() + (s.name() == null ? "" : "/" + s.name());
                if (s != null && s.type() == Schema.Type.ARRAY) type += "<" + (s.valueSchema() == null ? "?" : s.valueSchema().type()) + ">";
                if (s != null && s.type() == Schema.Type.MAP) {
                    type += "<" + (s.keySchema() == null ? "?" : s.keySchema().type()) + "," + (s.valueSchema() == null ? "?" : s.valueSchema().type()) + ">";
                }
                Object v = sv == null ? null : sv.value();
                String shown = v instanceof java.util.Date ? Long.toString(((java.util.Date) v).getTime()) : String.valueOf(v);
                result = type + "\t" + shown;
            } catch (Exception e) {
                result = "error\t" + e.getMessage();
            }
            sb.append(in).append('\t').append(result).append('\n');
        }
        Files.writeString(out.resolve("header-parse.tsv"), sb.toString());

        StringBuilder w = new StringBuilder();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", 1);
        m.put("b", "x\"y");
        Object[][] values = {
            {"string", Schema.STRING_SCHEMA, "plain text"},
            {"int32", Schema.INT32_SCHEMA, 42},
            {"int64", Schema.INT64_SCHEMA, 9007199254740993L},
            {"float64", Schema.FLOAT64_SCHEMA, 5.0},
            {"float32", Schema.FLOAT32_SCHEMA, 0.1f},
            {"boolean", Schema.BOOLEAN_SCHEMA, true},
            {"bytes", Schema.BYTES_SCHEMA, new byte[] {1, 2, 3}},
            {"array", SchemaBuilder.array(Schema.STRING_SCHEMA).build(), List.of("a", "b")},
            {"map", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.STRING_SCHEMA).build(), m},
            {"struct", ADDRESS, new Struct(ADDRESS).put("street", "Main \\ St").put("zip", 5)},
            {"date", Date.SCHEMA, utc(19782L * 86400000L)},
            {"time", Time.SCHEMA, utc(48659123L)},
            {"timestamp", Timestamp.SCHEMA, utc(1700000000123L)},
            {"decimal", Decimal.schema(2), new BigDecimal("12.30")},
        };
        for (Object[] row : values) {
            byte[] b = c.fromConnectHeader("t", "h", (Schema) row[1], row[2]);
            w.append(row[0]).append('\t').append(new String(b, StandardCharsets.UTF_8)).append('\n');
        }
        Files.writeString(out.resolve("header-write.tsv"), w.toString());
    }
}
