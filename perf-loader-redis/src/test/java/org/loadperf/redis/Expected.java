package org.loadperf.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/**
 * What {@link TestTables#mixed} rows must look like in Redis, computed independently of the loader's encoders
 * (java.time formatters, BigDecimal, Base64, Jackson).
 */
final class Expected {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter MICROS_UTC =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private Expected() {
    }

    /** The hash / stream fields of row {@code i}: nulls left out, binary raw. */
    static Map<String, byte[]> fields(int i) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("id", ascii(Long.toString(i)));
        m.put("name", TestTables.name(i).getBytes(StandardCharsets.UTF_8));
        if (i % 5 != 4) {
            m.put("price", ascii(Double.toString(i * 1.25 - 3.5)));
        }
        m.put("flag", ascii(i % 2 == 0 ? "1" : "0"));
        if (i % 4 != 3) {
            m.put("payload", TestTables.payload(i));
        }
        m.put("ts", ascii(Long.toString(TestTables.BASE_MICROS + i * 1_000_001L)));
        m.put("day", ascii(LocalDate.ofEpochDay(19_700 + i).toString()));
        m.put("amount", ascii(amount(i).toPlainString()));
        if (i % 3 != 2) {
            m.put("qty", ascii(Integer.toString(-i)));
        }
        return m;
    }

    /** The JSON object of row {@code i}: nulls as null, binary as base64, decimals as strings. */
    static JsonNode json(int i) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", i);
        o.put("name", TestTables.name(i));
        if (i % 5 != 4) {
            o.put("price", i * 1.25 - 3.5);
        } else {
            o.putNull("price");
        }
        o.put("flag", i % 2 == 0);
        if (i % 4 != 3) {
            o.put("payload", Base64.getEncoder().encodeToString(TestTables.payload(i)));
        } else {
            o.putNull("payload");
        }
        o.put("ts", timestamp(i));
        o.put("day", LocalDate.ofEpochDay(19_700 + i).toString());
        o.put("amount", amount(i).toPlainString());
        if (i % 3 != 2) {
            o.put("qty", -i);
        } else {
            o.putNull("qty");
        }
        return normalize(o);
    }

    static String timestamp(int i) {
        return MICROS_UTC.format(Instant.EPOCH.plus(TestTables.BASE_MICROS + i * 1_000_001L, ChronoUnit.MICROS));
    }

    static BigDecimal amount(int i) {
        return BigDecimal.valueOf(i * 100 + 7, 2);
    }

    static JsonNode parse(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + new String(json, StandardCharsets.UTF_8), e);
        }
    }

    private static JsonNode normalize(JsonNode n) {
        try {
            return JSON.readTree(JSON.writeValueAsBytes(n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** An Arrow IPC stream reader over {@code root}'s rows, in batches of {@code batchRows}. */
    static ArrowReader reader(BufferAllocator allocator, VectorSchemaRoot root, int batchRows) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (VectorSchemaRoot target = VectorSchemaRoot.create(root.getSchema(), allocator);
             ArrowStreamWriter writer = new ArrowStreamWriter(target, null, Channels.newChannel(out))) {
            writer.start();
            int total = root.getRowCount();
            VectorLoader loader = new VectorLoader(target);
            for (int from = 0; from < total; from += batchRows) {
                try (VectorSchemaRoot slice = root.slice(from, Math.min(batchRows, total - from));
                     ArrowRecordBatch batch = new VectorUnloader(slice).getRecordBatch()) {
                    loader.load(batch);
                    writer.writeBatch();
                }
            }
            writer.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ArrowStreamReader(new ByteArrayInputStream(out.toByteArray()), allocator);
    }
}
