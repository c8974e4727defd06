package org.loadperf.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.loadperf.api.loader.LoaderException;

/**
 * A parsed {@code key_pattern} such as {@code {table}:{id}}: literal text plus placeholders. {@code {table}} is
 * the table name; any other {@code {name}} is the value of column {@code name}, encoded as in
 * {@link RedisValueEncoder#writeText}. Braces cannot appear literally.
 */
final class KeyPattern {

    private static final String TABLE = "table";

    /** A literal part (column == null) or a placeholder. */
    private record Part(String literal, String placeholder) {
    }

    private final String text;
    private final List<Part> parts;

    private KeyPattern(String text, List<Part> parts) {
        this.text = text;
        this.parts = parts;
    }

    static KeyPattern parse(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        List<Part> parts = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int open = text.indexOf('{', i);
            int close = text.indexOf('}', i);
            if (close >= 0 && (open < 0 || close < open)) {
                throw new IllegalArgumentException("'}' without '{' at position " + close + " in '" + text + "'");
            }
            if (open < 0) {
                parts.add(new Part(text.substring(i), null));
                break;
            }
            if (open > i) {
                parts.add(new Part(text.substring(i, open), null));
            }
            if (close < 0) {
                throw new IllegalArgumentException("'{' without '}' at position " + open + " in '" + text + "'");
            }
            String name = text.substring(open + 1, close);
            if (name.isEmpty() || name.indexOf('{') >= 0) {
                throw new IllegalArgumentException("empty or nested placeholder at position " + open + " in '" + text + "'");
            }
            parts.add(new Part(null, name));
            i = close + 1;
        }
        return new KeyPattern(text, Collections.unmodifiableList(parts));
    }

    /** Whether the pattern names the table, so that its keys can be told apart from other tables' keys. */
    boolean containsTable() {
        return parts.stream().anyMatch(p -> TABLE.equals(p.placeholder));
    }

    /** The column names the pattern refers to. */
    List<String> columns() {
        return parts.stream().filter(p -> p.placeholder != null && !TABLE.equals(p.placeholder))
                .map(Part::placeholder).toList();
    }

    /**
     * Binds the pattern to one batch's columns.
     *
     * @throws LoaderException when a placeholder names no column, listing the columns
     */
    Bound bind(String table, Map<String, RedisValueEncoder> columns) {
        int n = parts.size();
        byte[][] literals = new byte[n][];
        RedisValueEncoder[] encoders = new RedisValueEncoder[n];
        for (int i = 0; i < n; i++) {
            Part p = parts.get(i);
            if (p.literal != null) {
                literals[i] = p.literal.getBytes(StandardCharsets.UTF_8);
            } else if (TABLE.equals(p.placeholder)) {
                literals[i] = table.getBytes(StandardCharsets.UTF_8);
            } else {
                RedisValueEncoder e = columns.get(p.placeholder);
                if (e == null) {
                    throw new LoaderException("key_pattern '" + text + "' names column '" + p.placeholder
                            + "', which table '" + table + "' does not have; its columns are: "
                            + String.join(", ", columns.keySet()));
                }
                encoders[i] = e;
            }
        }
        return new Bound(literals, encoders);
    }

    @Override
    public String toString() {
        return text;
    }

    /** The pattern bound to one batch: builds row keys without intermediate strings. */
    static final class Bound {
        private final byte[][] literals;
        private final RedisValueEncoder[] encoders;
        private final ByteSink sink = new ByteSink(64);

        private Bound(byte[][] literals, RedisValueEncoder[] encoders) {
            this.literals = literals;
            this.encoders = encoders;
        }

        /** The columns whose nulls make a key impossible. */
        List<RedisValueEncoder> keyColumns() {
            List<RedisValueEncoder> out = new ArrayList<>();
            for (RedisValueEncoder e : encoders) {
                if (e != null && !out.contains(e)) {
                    out.add(e);
                }
            }
            return out;
        }

        /** The key of {@code row}; the key columns must be non-null there (checked before writing). */
        byte[] key(int row) {
            sink.reset();
            for (int i = 0; i < literals.length; i++) {
                if (literals[i] != null) {
                    sink.write(literals[i]);
                } else {
                    encoders[i].writeText(row, sink);
                }
            }
            return sink.toByteArray();
        }
    }
}
