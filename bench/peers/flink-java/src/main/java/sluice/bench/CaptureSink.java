package sluice.bench;

import java.io.IOException;
import java.io.Serializable;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * The 'capture' sink (see {@link CaptureSinkFactory}). Output file format, shared with the
 * sluice side of the benchmark:
 *
 * <ul>
 *   <li>first line: the column names, comma-separated (checksum mode: {@code count,sum_<col>...});
 *   <li>then the rows, as CSV lines sorted by plain string comparison (byte order for ASCII);
 *   <li>integers in decimal; TIMESTAMP as {@code yyyy-MM-dd HH:mm:ss.SSS}; DOUBLE as the exact
 *       decimal value of the double with trailing zeros stripped (BigDecimal.toPlainString);
 *       strings as they are (quoted RFC-4180 style only if they hold a comma, quote or newline);
 *       NULL as the empty field.
 *   <li>checksum mode: count of rows, then per column the sum of its values: integers as
 *       themselves, TIMESTAMP as epoch milliseconds of the wall-clock time read as UTC, STRING as
 *       its length in UTF-16 units (all these sums exact, never wrapping: 10 M timestamps add up
 *       to more than 2^63), DOUBLE as a double sum.
 * </ul>
 */
public final class CaptureSink {
    private CaptureSink() {}

    /** The planner-facing side. */
    public static final class Table implements DynamicTableSink {
        private final String path;
        private final String mode;
        private final RowType rowType;
        private final int[] pk;

        Table(String path, String mode, RowType rowType, int[] pk) {
            this.path = path;
            this.mode = mode;
            this.rowType = rowType;
            this.pk = pk;
        }

        @Override
        public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
            return mode.equals("upsert") ? ChangelogMode.upsert() : ChangelogMode.insertOnly();
        }

        @Override
        public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
            return SinkV2Provider.of(new RowSink(path, mode, rowType, pk), 1);
        }

        @Override
        public DynamicTableSink copy() {
            return new Table(path, mode, rowType, pk);
        }

        @Override
        public String asSummaryString() {
            return "capture(" + mode + ")";
        }
    }

    /** The runtime sink (Sink V2). */
    public static final class RowSink implements Sink<RowData> {
        private static final long serialVersionUID = 1L;
        private final String path;
        private final String mode;
        private final RowType rowType;
        private final int[] pk;

        RowSink(String path, String mode, RowType rowType, int[] pk) {
            this.path = path;
            this.mode = mode;
            this.rowType = rowType;
            this.pk = pk;
        }

        @Override
        public SinkWriter<RowData> createWriter(WriterInitContext context) {
            return new Capture(path, mode, rowType, pk);
        }
    }

    /** Reads one field of a row as a plain, immutable Java value (copying strings). */
    private interface Getter extends Serializable {
        Object get(RowData row);
    }

    private static Getter getter(LogicalType t, int i) {
        switch (t.getTypeRoot()) {
            case BIGINT:
                return r -> r.isNullAt(i) ? null : (Object) r.getLong(i);
            case INTEGER:
                return r -> r.isNullAt(i) ? null : (Object) (long) r.getInt(i);
            case SMALLINT:
                return r -> r.isNullAt(i) ? null : (Object) (long) r.getShort(i);
            case TINYINT:
                return r -> r.isNullAt(i) ? null : (Object) (long) r.getByte(i);
            case DOUBLE:
                return r -> r.isNullAt(i) ? null : (Object) r.getDouble(i);
            case FLOAT:
                return r -> r.isNullAt(i) ? null : (Object) (double) r.getFloat(i);
            case BOOLEAN:
                return r -> r.isNullAt(i) ? null : (Object) r.getBoolean(i);
            case CHAR:
            case VARCHAR:
                return r -> r.isNullAt(i) ? null : r.getString(i).toString();
            case TIMESTAMP_WITHOUT_TIME_ZONE:
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                {
                    int p = timestampPrecision(t);
                    return r -> r.isNullAt(i) ? null : r.getTimestamp(i, p);
                }
            case DECIMAL:
                {
                    org.apache.flink.table.types.logical.DecimalType d =
                            (org.apache.flink.table.types.logical.DecimalType) t;
                    return r ->
                            r.isNullAt(i)
                                    ? null
                                    : r.getDecimal(i, d.getPrecision(), d.getScale())
                                            .toBigDecimal();
                }
            default:
                throw new UnsupportedOperationException("capture: unsupported type " + t);
        }
    }

    private static int timestampPrecision(LogicalType t) {
        if (t instanceof org.apache.flink.table.types.logical.TimestampType) {
            return ((org.apache.flink.table.types.logical.TimestampType) t).getPrecision();
        }
        return ((org.apache.flink.table.types.logical.LocalZonedTimestampType) t).getPrecision();
    }

    static String format(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Long || v instanceof Boolean) {
            return v.toString();
        }
        if (v instanceof Double) {
            double d = (Double) v;
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return Double.toString(d);
            }
            return new BigDecimal(d).stripTrailingZeros().toPlainString();
        }
        if (v instanceof BigDecimal) {
            return ((BigDecimal) v).toPlainString();
        }
        if (v instanceof TimestampData) {
            LocalDateTime t = ((TimestampData) v).toLocalDateTime();
            return String.format(
                    "%04d-%02d-%02d %02d:%02d:%02d.%03d",
                    t.getYear(),
                    t.getMonthValue(),
                    t.getDayOfMonth(),
                    t.getHour(),
                    t.getMinute(),
                    t.getSecond(),
                    t.getNano() / 1_000_000);
        }
        String s = v.toString();
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    /** The writer: keeps the answer in memory and writes it at the end of the input. */
    static final class Capture implements SinkWriter<RowData> {
        private final String path;
        private final String mode;
        private final RowType rowType;
        private final int[] pk;
        private final Getter[] getters;
        private final int arity;

        private long records;
        private long firstEpochMs = -1;
        private boolean written;

        // checksum
        private final LogicalType[] types;
        private final int[] precisions;
        private final long[] longSums;
        private final BigInteger[] bigSums;
        private final double[] doubleSums;
        private long count;
        // append
        private final List<Object[]> rows = new ArrayList<>();
        // upsert
        private final Map<List<Object>, Object[]> table = new HashMap<>();

        Capture(String path, String mode, RowType rowType, int[] pk) {
            this.path = path;
            this.mode = mode;
            this.rowType = rowType;
            this.pk = pk;
            this.arity = rowType.getFieldCount();
            this.getters = new Getter[arity];
            this.types = new LogicalType[arity];
            this.precisions = new int[arity];
            for (int i = 0; i < arity; i++) {
                types[i] = rowType.getTypeAt(i);
                getters[i] = getter(types[i], i);
                switch (types[i].getTypeRoot()) {
                    case TIMESTAMP_WITHOUT_TIME_ZONE:
                    case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                        precisions[i] = timestampPrecision(types[i]);
                        break;
                    default:
                }
            }
            this.longSums = new long[arity];
            this.bigSums = new BigInteger[arity];
            Arrays.fill(bigSums, BigInteger.ZERO);
            this.doubleSums = new double[arity];
        }

        @Override
        public void write(RowData row, Context context) {
            if (records++ == 0) {
                firstEpochMs = System.currentTimeMillis();
            }
            switch (mode) {
                case "checksum":
                    checksum(row);
                    break;
                case "append":
                    rows.add(values(row));
                    break;
                default:
                    upsert(row);
            }
        }

        private Object[] values(RowData row) {
            Object[] v = new Object[arity];
            for (int i = 0; i < arity; i++) {
                v[i] = getters[i].get(row);
            }
            return v;
        }

        private void upsert(RowData row) {
            Object[] key = new Object[pk.length];
            for (int k = 0; k < pk.length; k++) {
                key[k] = getters[pk[k]].get(row);
            }
            switch (row.getRowKind()) {
                case INSERT:
                case UPDATE_AFTER:
                    table.put(Arrays.asList(key), values(row));
                    break;
                case DELETE:
                    table.remove(Arrays.asList(key));
                    break;
                default:
                    // UPDATE_BEFORE is not requested in upsert mode
            }
        }

        /** Adds v to column i's sum exactly: on long overflow the partial sum moves to a BigInteger. */
        private void add(int i, long v) {
            long s = longSums[i];
            long r = s + v;
            if (((s ^ r) & (v ^ r)) < 0) {
                bigSums[i] = bigSums[i].add(BigInteger.valueOf(s));
                r = v;
            }
            longSums[i] = r;
        }

        private void checksum(RowData row) {
            count++;
            for (int i = 0; i < arity; i++) {
                if (row.isNullAt(i)) {
                    continue;
                }
                switch (types[i].getTypeRoot()) {
                    case BIGINT:
                        add(i, row.getLong(i));
                        break;
                    case INTEGER:
                        add(i, row.getInt(i));
                        break;
                    case SMALLINT:
                        add(i, row.getShort(i));
                        break;
                    case TINYINT:
                        add(i, row.getByte(i));
                        break;
                    case TIMESTAMP_WITHOUT_TIME_ZONE:
                    case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                        add(i, row.getTimestamp(i, precisions[i]).getMillisecond());
                        break;
                    case CHAR:
                    case VARCHAR:
                        add(i, row.getString(i).toString().length());
                        break;
                    case DOUBLE:
                        doubleSums[i] += row.getDouble(i);
                        break;
                    default:
                        Object v = getters[i].get(row);
                        add(i, v == null ? 0 : v.toString().length());
                }
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            if (endOfInput && !written) {
                written = true;
                writeOut();
            }
        }

        private void writeOut() throws IOException {
            long lastEpochMs = System.currentTimeMillis();
            List<String> names = rowType.getFieldNames();
            String header;
            List<String> lines = new ArrayList<>();
            if (mode.equals("checksum")) {
                StringBuilder h = new StringBuilder("count");
                StringBuilder l = new StringBuilder(Long.toString(count));
                for (int i = 0; i < arity; i++) {
                    h.append(",sum_").append(names.get(i));
                    l.append(',');
                    if (types[i].getTypeRoot() == org.apache.flink.table.types.logical.LogicalTypeRoot.DOUBLE) {
                        l.append(format(doubleSums[i]));
                    } else {
                        l.append(bigSums[i].add(BigInteger.valueOf(longSums[i])));
                    }
                }
                header = h.toString();
                lines.add(l.toString());
            } else {
                header = String.join(",", names);
                for (Object[] r : mode.equals("append") ? rows : table.values()) {
                    StringBuilder l = new StringBuilder();
                    for (int i = 0; i < arity; i++) {
                        if (i > 0) {
                            l.append(',');
                        }
                        l.append(format(r[i]));
                    }
                    lines.add(l.toString());
                }
                lines.sort(null);
            }
            Path out = Paths.get(path);
            if (out.getParent() != null) {
                Files.createDirectories(out.getParent());
            }
            Path tmp = Paths.get(path + ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(header);
                w.write('\n');
                for (String l : lines) {
                    w.write(l);
                    w.write('\n');
                }
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
            String meta =
                    String.format(
                            "{\"firstRecordEpochMs\":%d,\"lastRecordEpochMs\":%d,\"writtenEpochMs\":%d,"
                                    + "\"records\":%d,\"rows\":%d,\"mode\":\"%s\"}%n",
                            firstEpochMs,
                            lastEpochMs,
                            System.currentTimeMillis(),
                            records,
                            lines.size(),
                            mode);
            Files.write(Paths.get(path + ".meta.json"), meta.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void close() {}
    }
}
