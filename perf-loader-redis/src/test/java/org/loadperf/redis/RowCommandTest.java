package org.loadperf.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.util.RedisOutputStream;

/**
 * The reused row command writes, row after row, exactly the RESP a fresh Jedis CommandArguments writes: values of the
 * same length in the same position reuse one array, so a stale value would show here.
 */
class RowCommandTest {

    private final BufferAllocator allocator = new RootAllocator();

    @AfterEach
    void close() {
        allocator.close();
    }

    private static byte[] resp(CommandArguments command) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RedisOutputStream out = new RedisOutputStream(bytes);
        Protocol.sendCommand(out, command);
        out.flush();
        return bytes.toByteArray();
    }

    @Test
    void every_row_writes_what_a_fresh_command_writes() throws Exception {
        String[] texts = {"ab", "cd", "", "é\"x", "a".repeat(RowCommand.REUSED_LENGTH),
                "b".repeat(RowCommand.REUSED_LENGTH + 1), "ef", null};
        try (BigIntVector ints = new BigIntVector("i", allocator); Float8Vector floats = new Float8Vector("f", allocator);
             BitVector bools = new BitVector("b", allocator); VarCharVector utf8 = new VarCharVector("s", allocator);
             LargeVarCharVector large = new LargeVarCharVector("l", allocator);
             VarBinaryVector bin = new VarBinaryVector("v", allocator);
             LargeVarBinaryVector largeBin = new LargeVarBinaryVector("lb", allocator);
             FixedSizeBinaryVector fixed = new FixedSizeBinaryVector("x", allocator, 2)) {
            for (int row = 0; row < texts.length; row++) {
                ints.setSafe(row, row % 2 == 0 ? 10 + row : -row);
                floats.setSafe(row, row * 0.5 + 0.25);
                bools.setSafe(row, row % 2);
                if (texts[row] != null) {
                    byte[] b = texts[row].getBytes(StandardCharsets.UTF_8);
                    utf8.setSafe(row, b);
                    large.setSafe(row, b);
                    bin.setSafe(row, b);
                    largeBin.setSafe(row, b);
                }
                fixed.setSafe(row, new byte[] {(byte) row, (byte) (2 * row)});
            }
            List<FieldVector> vectors = List.of(ints, floats, bools, utf8, large, bin, largeBin, fixed);
            vectors.forEach(v -> v.setValueCount(texts.length));
            RedisValueEncoder[] encoders = vectors.stream().map(RedisValueEncoder::of).toArray(RedisValueEncoder[]::new);

            RowCommand reused = new RowCommand(Protocol.Command.HSET);
            for (int row = 0; row < texts.length; row++) {
                byte[] key = ("t:" + row).getBytes(StandardCharsets.UTF_8);
                CommandArguments fresh = new CommandArguments(Protocol.Command.HSET).key(key);
                reused.reset().raw(key);
                for (RedisValueEncoder e : encoders) {
                    if (!e.isNull(row)) {
                        fresh.add(e.nameBytes()).add(e.text(row));
                        reused.raw(e.nameBytes()).text(e, row);
                        // The JSON form goes through the same copy out of the vector.
                        ByteSink viaArray = new ByteSink(8);
                        RedisValueEncoder.writeJsonString(e.text(row), viaArray);
                        ByteSink json = new ByteSink(8);
                        e.writeJson(row, json);
                        if (e == encoders[3] || e == encoders[4]) {
                            assertThat(json.toByteArray()).as("json of %s, row %d", e.name(), row)
                                    .isEqualTo(viaArray.toByteArray());
                        }
                    }
                }
                assertThat(reused.size()).isEqualTo(fresh.size());
                assertThat(new String(resp(reused), StandardCharsets.ISO_8859_1)).as("row %d", row)
                        .isEqualTo(new String(resp(fresh), StandardCharsets.ISO_8859_1));
            }
        }
    }
}
