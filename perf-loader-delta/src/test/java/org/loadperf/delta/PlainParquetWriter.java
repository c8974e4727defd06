package org.loadperf.delta;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * The benchmark anchor: the same Arrow rows written as plain Parquet files with parquet-hadoop (parquet-mr), same
 * codec and roll size, reading the Arrow buffers directly (one copy per string). No Delta log, no statistics
 * read-back. Handles the flat types of the guide's dataset (int64, float64, utf8, bool, timestamp(us)).
 */
final class PlainParquetWriter {

    private PlainParquetWriter() {
    }

    /** Writes everything {@code source} yields into {@code dir}; returns the rows written. */
    static long write(ArrowReader source, java.nio.file.Path dir, String codec, long targetFileSize)
            throws IOException {
        VectorSchemaRoot root = source.getVectorSchemaRoot();
        MessageType schema = schema(root.getSchema().getFields());
        ArrowWriteSupport support = new ArrowWriteSupport(schema);
        Configuration conf = new Configuration();
        long rows = 0;
        int fileNo = 0;
        ParquetWriter<Integer> writer = null;
        try {
            while (source.loadNextBatch()) {
                support.bind(root);
                for (int r = 0; r < root.getRowCount(); r++) {
                    if (writer == null) {
                        Path p = new Path(dir.resolve(String.format("part-%05d.parquet", fileNo++)).toUri());
                        writer = new Builder(HadoopOutputFile.fromPath(p, conf), support)
                                .withCompressionCodec(CompressionCodecName.fromConf(codec)).build();
                    }
                    writer.write(r);
                    rows++;
                    if (writer.getDataSize() >= targetFileSize) {
                        writer.close();
                        writer = null;
                    }
                }
            }
        } finally {
            if (writer != null) {
                writer.close();
            }
        }
        return rows;
    }

    private static MessageType schema(List<Field> fields) {
        List<Type> types = new ArrayList<>();
        for (Field f : fields) {
            ArrowType t = f.getType();
            Types.PrimitiveBuilder<org.apache.parquet.schema.PrimitiveType> b;
            if (t instanceof ArrowType.Int) {
                b = Types.optional(PrimitiveTypeName.INT64);
            } else if (t instanceof ArrowType.FloatingPoint) {
                b = Types.optional(PrimitiveTypeName.DOUBLE);
            } else if (t instanceof ArrowType.Utf8) {
                b = Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType());
            } else if (t instanceof ArrowType.Bool) {
                b = Types.optional(PrimitiveTypeName.BOOLEAN);
            } else if (t instanceof ArrowType.Timestamp) {
                b = Types.optional(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.timestampType(true,
                        LogicalTypeAnnotation.TimeUnit.MICROS));
            } else {
                throw new IllegalArgumentException("anchor writer does not handle " + t + " of " + f.getName());
            }
            types.add(b.named(f.getName()));
        }
        return new MessageType("spark_schema", types);
    }

    private static final class Builder extends ParquetWriter.Builder<Integer, Builder> {
        private final WriteSupport<Integer> support;

        Builder(org.apache.parquet.io.OutputFile file, WriteSupport<Integer> support) {
            super(file);
            this.support = support;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        @SuppressWarnings("deprecation") // the Hadoop Configuration overload is the one parquet-hadoop 1.15 calls
        protected WriteSupport<Integer> getWriteSupport(Configuration conf) {
            return support;
        }
    }

    /** Writes one value of one column; built once per batch so the per-row loop does no lookups. */
    private interface ValueWriter {
        void write(RecordConsumer consumer, int row);
    }

    private static final class ArrowWriteSupport extends WriteSupport<Integer> {
        private final MessageType schema;
        private RecordConsumer consumer;
        private FieldVector[] vectors;
        private String[] names;
        private ValueWriter[] writers;

        ArrowWriteSupport(MessageType schema) {
            this.schema = schema;
        }

        /** Binds the writers to the batch now in {@code root}. */
        void bind(VectorSchemaRoot root) {
            List<FieldVector> list = root.getFieldVectors();
            vectors = list.toArray(new FieldVector[0]);
            names = new String[vectors.length];
            writers = new ValueWriter[vectors.length];
            for (int c = 0; c < vectors.length; c++) {
                FieldVector v = vectors[c];
                names[c] = v.getName();
                if (v instanceof BigIntVector b) {
                    writers[c] = (rc, r) -> rc.addLong(b.get(r));
                } else if (v instanceof Float8Vector d) {
                    writers[c] = (rc, r) -> rc.addDouble(d.get(r));
                } else if (v instanceof VarCharVector s) {
                    writers[c] = (rc, r) -> rc.addBinary(Binary.fromConstantByteArray(s.get(r)));
                } else if (v instanceof BitVector bit) {
                    writers[c] = (rc, r) -> rc.addBoolean(bit.get(r) != 0);
                } else if (v instanceof TimeStampMicroTZVector ts) {
                    writers[c] = (rc, r) -> rc.addLong(ts.get(r));
                } else {
                    throw new IllegalArgumentException("anchor writer does not handle " + v.getClass());
                }
            }
        }

        @Override
        @SuppressWarnings("deprecation") // the Hadoop Configuration overload is the one parquet-hadoop 1.15 calls
        public WriteContext init(Configuration configuration) {
            return new WriteContext(schema, Map.of());
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.consumer = recordConsumer;
        }

        @Override
        public void write(Integer row) {
            int r = row;
            consumer.startMessage();
            for (int c = 0; c < vectors.length; c++) {
                if (vectors[c].isNull(r)) {
                    continue;
                }
                consumer.startField(names[c], c);
                writers[c].write(consumer, r);
                consumer.endField(names[c], c);
            }
            consumer.endMessage();
        }
    }
}
