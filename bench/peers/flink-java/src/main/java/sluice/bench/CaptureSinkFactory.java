package sluice.bench;

import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.logical.RowType;

/**
 * 'connector' = 'capture': an in-JVM sink that keeps a job's answer and writes it once, at the
 * end of the bounded input, as a sorted CSV file, plus "<path>.meta.json" with the wall-clock
 * time (epoch ms) of the first and last record it received. Used by both peers (the PyFlink job
 * loads this jar with pipeline.jars), so both measure the same way.
 *
 * <p>Modes: 'checksum' (one row: count and per-column sums), 'append' (every row), 'upsert'
 * (last row per PRIMARY KEY; deletes remove the key).
 */
public class CaptureSinkFactory implements DynamicTableSinkFactory {
    public static final ConfigOption<String> PATH =
            ConfigOptions.key("path").stringType().noDefaultValue();
    public static final ConfigOption<String> MODE =
            ConfigOptions.key("mode").stringType().defaultValue("append");

    @Override
    public String factoryIdentifier() {
        return "capture";
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(PATH);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(MODE);
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        ReadableConfig options = helper.getOptions();
        String mode = options.get(MODE);
        if (!Set.of("checksum", "append", "upsert").contains(mode)) {
            throw new IllegalArgumentException("capture: unknown mode " + mode);
        }
        int[] pk = context.getPrimaryKeyIndexes();
        if (mode.equals("upsert") && pk.length == 0) {
            throw new IllegalArgumentException("capture: mode 'upsert' needs a PRIMARY KEY");
        }
        RowType rowType = (RowType) context.getPhysicalRowDataType().getLogicalType();
        return new CaptureSink.Table(options.get(PATH), mode, rowType, pk);
    }
}
