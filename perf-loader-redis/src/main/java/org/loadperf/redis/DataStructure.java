package org.loadperf.redis;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How rows are stored. Per-row structures write one key per row, named by {@code key_pattern}; the others append
 * every row of a table to one key, {@code {table}:<suffix>}.
 */
enum DataStructure {
    /** HSET per row: one field per non-null column. */
    HASH("hash", null, "hash"),
    /** SET per row: the row as a JSON object. */
    STRING("string", null, "string"),
    /** JSON.SET per row (RedisJSON module): the row as a JSON document. */
    JSON("json", null, "ReJSON-RL"),
    /** ZADD to {table}:zset: member the row as JSON, score from score_field (or the row number). */
    SORTED_SET("sorted_set", "zset", "zset"),
    /** SADD to {table}:set: member the unique_field value (or the row as JSON). */
    SET("set", "set", "set"),
    /** RPUSH to {table}:list: the row as JSON. */
    LIST("list", "list", "list"),
    /** XADD to {table}:stream: one entry per row, one field per non-null column. */
    STREAM("stream", "stream", "stream");

    private final String configName;
    private final String aggregateSuffix;
    private final String redisType;

    DataStructure(String configName, String aggregateSuffix, String redisType) {
        this.configName = configName;
        this.aggregateSuffix = aggregateSuffix;
        this.redisType = redisType;
    }

    /** The name used in the configuration and in result metadata. */
    String configName() {
        return configName;
    }

    /** Whether the structure writes one key per row (named by key_pattern). */
    boolean perRowKey() {
        return aggregateSuffix == null;
    }

    /** The suffix of the single key per table ({@code {table}:<suffix>}), or null for per-row structures. */
    String aggregateSuffix() {
        return aggregateSuffix;
    }

    /** The type Redis reports for this structure's keys ({@code TYPE}, {@code SCAN ... TYPE}). */
    String redisType() {
        return redisType;
    }

    static DataStructure parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (DataStructure d : values()) {
            if (d.configName.equals(n)) {
                return d;
            }
        }
        throw new IllegalArgumentException("expected one of " + names() + ", got '" + name + "'");
    }

    static String names() {
        return Arrays.stream(values()).map(DataStructure::configName).collect(Collectors.joining(", "));
    }
}
