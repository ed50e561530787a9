package sluice.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

/**
 * Runs one benchmark workload on Flink's Java Table API in a local MiniCluster, parallelism 1
 * (or --parallelism N), streaming mode, and prints one JSON line on stdout.
 *
 * <pre>
 * FlinkPeer --workload q0|q1|q2|tumble|sliding|session|spend|payments|join-dim|q3|topn --rows N
 *           --input FILE.csv|none --output FILE [--sink capture|blackhole|options] [--sql-dir DIR]
 *           [--source-options "'connector' = 'kafka', ..."] [--sink-options "'connector' = 'kafka', ..."]
 *           [--parallelism N]
 * </pre>
 *
 * The SQL of each workload is read from {@code <sql-dir>/<workload>.sql} (shared with the PyFlink
 * job); {@code ${input}} becomes the input path, {@code ${input:KIND}} the file KIND.csv beside it (a
 * join's other table) and {@code ${sink:MODE}} the sink options. The Kafka
 * rows of the benchmark (bench/lib/kafka.ts) swap the source table's options for {@code --source-options}
 * and, with {@code --sink options}, the sink's for {@code --sink-options}.
 */
public final class FlinkPeer {
    private static final Pattern SINK = Pattern.compile("\\$\\{sink:(\\w+)}");
    /** A further input of a workload (a join's other table): the file {@code <kind>.csv} beside {@code ${input}}. */
    private static final Pattern OTHER_INPUT = Pattern.compile("\\$\\{input:(\\w+)}");
    private static final Pattern INPUT_KIND = Pattern.compile("(?m)^--\\s*input:\\s*(\\w+)");
    /** The source table's options in every workload's SQL, replaced by --source-options. */
    private static final String FILE_SOURCE = "'connector' = 'filesystem', 'path' = '${input}', 'format' = 'csv'";
    private static final Pattern CONFIG = Pattern.compile("(?m)^--\\s*config:\\s*([\\w.-]+)\\s*=\\s*(.*?)\\s*$");

    public static void main(String[] argv) throws Exception {
        // JVM start (epoch ms, taken by the JVM itself during its start-up); /proc-based
        // ProcessHandle start instants were off by up to a second here (btime rounding).
        long startMs = ManagementFactory.getRuntimeMXBean().getStartTime();
        Map<String, String> a = parse(argv);
        String workload = req(a, "workload");
        long rows = Long.parseLong(req(a, "rows"));
        String output = req(a, "output");
        String sink = a.getOrDefault("sink", "capture");
        Path peers = peersDir(a);
        Path sqlFile = a.containsKey("sql-dir")
                ? Paths.get(a.get("sql-dir"), workload + ".sql")
                : peers.resolve("sql").resolve(workload + ".sql");
        String script = Files.readString(sqlFile, StandardCharsets.UTF_8);

        String input = req(a, "input");
        String sourceOptions = a.get("source-options");
        if (sourceOptions != null) {
            if (!script.contains(FILE_SOURCE)) {
                throw new IllegalArgumentException(sqlFile + " has no source table with " + FILE_SOURCE);
            }
            script = script.replace(FILE_SOURCE, sourceOptions);
        } else if (input.equals("none")) {
            Matcher m = INPUT_KIND.matcher(script);
            if (!m.find()) {
                throw new IllegalArgumentException(sqlFile + " has no '-- input: <name>' line");
            }
            input = peers.resolveSibling(".work").resolve("input").resolve(Long.toString(rows))
                    .resolve(m.group(1) + ".csv").toString();
        }
        Path inputPath = Paths.get(input).toAbsolutePath();
        if (sourceOptions == null && !Files.isRegularFile(inputPath)) {
            throw new IllegalArgumentException(
                    "input " + inputPath + " is missing (python3 bench/peers/gen-input.py --rows " + rows + ")");
        }
        Path outputPath = Paths.get(output).toAbsolutePath();
        Files.deleteIfExists(outputPath);
        Files.deleteIfExists(Paths.get(outputPath + ".meta.json"));

        List<String> statements = render(script, inputPath.toString(), outputPath.toString(), sink, a.get("sink-options"));

        Configuration conf = new Configuration();
        // Parallelism 1 unless asked (the Kafka rows' -p 2 peers read two-partition topics).
        String parallelism = a.getOrDefault("parallelism", "1");
        conf.setString("parallelism.default", parallelism);
        conf.setString("table.exec.resource.default-parallelism", parallelism);
        conf.setString("pipeline.name", "sluice-bench-" + workload);
        // The workload's own settings ('-- config: key = value' lines), the same for every engine.
        Matcher config = CONFIG.matcher(script);
        while (config.find()) {
            conf.setString(config.group(1), config.group(2));
        }
        TableEnvironment tEnv =
                TableEnvironment.create(
                        EnvironmentSettings.newInstance()
                                .inStreamingMode()
                                .withConfiguration(conf)
                                .build());
        tEnv.createTemporarySystemFunction("province_id_to_name", ProvinceIdToName.class);

        for (int i = 0; i < statements.size() - 1; i++) {
            tEnv.executeSql(statements.get(i));
        }
        long submitNs = System.nanoTime();
        TableResult result = tEnv.executeSql(statements.get(statements.size() - 1));
        result.await();
        double seconds = (System.nanoTime() - submitNs) / 1e9;
        Double net = null;
        try {
            JobExecutionResult r = result.getJobClient().get().getJobExecutionResult().get();
            net = r.getNetRuntime() / 1000.0;
        } catch (Exception e) {
            // not available: leave null
        }
        long endMs = System.currentTimeMillis();

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("engine", "flink-java");
        out.put("workload", workload);
        out.put("rows", rows);
        out.put("seconds", round(seconds));
        Long first = null;
        Long outRows = null;
        Long records = null;
        Path meta = Paths.get(outputPath + ".meta.json");
        if (sink.equals("capture")) {
            String m = Files.readString(meta, StandardCharsets.UTF_8);
            first = jsonLong(m, "firstRecordEpochMs");
            outRows = jsonLong(m, "rows");
            records = jsonLong(m, "records");
        }
        out.put("firstResultSeconds", first == null || first < 0 ? null : round((first - startMs) / 1000.0));
        out.put("rowsPerSecond", Math.round(rows / seconds));
        out.put("netRuntimeSeconds", net == null ? null : round(net));
        out.put("processSeconds", round((endMs - startMs) / 1000.0));
        out.put("endEpochMs", endMs);
        out.put("sink", sink);
        out.put("sinkRecords", records);
        out.put("outputRows", outRows);
        out.put("flinkVersion", EnvironmentInformation.getVersion());
        out.put("javaVersion", System.getProperty("java.version"));
        out.put("input", inputPath.toString());
        out.put("output", sink.equals("capture") ? outputPath.toString() : null);
        System.out.println(toJson(out));
        System.out.flush();
        System.exit(0);
    }

    /** bench/peers, found from -Dsluice.peers.dir, else from the working directory. */
    private static Path peersDir(Map<String, String> a) {
        String p = System.getProperty("sluice.peers.dir");
        if (p != null) {
            return Paths.get(p).toAbsolutePath();
        }
        Path cwd = Paths.get("").toAbsolutePath();
        for (Path d = cwd; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("bench/peers/sql"))) {
                return d.resolve("bench/peers");
            }
            if (d.getFileName() != null && d.getFileName().toString().equals("peers")
                    && Files.isDirectory(d.resolve("sql"))) {
                return d;
            }
        }
        throw new IllegalStateException("cannot find bench/peers; pass -Dsluice.peers.dir");
    }

    static List<String> render(String script, String input, String output, String sink, String sinkOptions) {
        StringBuilder sb = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.trim().startsWith("--")) {
                sb.append(line).append('\n');
            }
        }
        String s = sb.toString().replace("${input}", input.replace("'", "''"));
        Matcher o = OTHER_INPUT.matcher(s);
        StringBuilder withOthers = new StringBuilder();
        while (o.find()) {
            String other = Paths.get(input).resolveSibling(o.group(1) + ".csv").toString();
            o.appendReplacement(withOthers, Matcher.quoteReplacement(other.replace("'", "''")));
        }
        o.appendTail(withOthers);
        s = withOthers.toString();
        Matcher m = SINK.matcher(s);
        StringBuilder r = new StringBuilder();
        while (m.find()) {
            String opts = sink.equals("options") ? sinkOptions
                    : sink.equals("blackhole")
                    ? "'connector' = 'blackhole'"
                    : "'connector' = 'capture', 'mode' = '" + m.group(1) + "', 'path' = '"
                            + output.replace("'", "''") + "'";
            m.appendReplacement(r, Matcher.quoteReplacement(opts));
        }
        m.appendTail(r);
        List<String> out = new ArrayList<>();
        for (String st : r.toString().split(";\\s*(\n|$)")) {
            if (!st.isBlank()) {
                out.add(st.trim());
            }
        }
        return out;
    }

    private static Map<String, String> parse(String[] argv) {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
                throw new IllegalArgumentException("usage: --workload W --rows N --input F|none --output F [--sink capture|blackhole|options] [--source-options O] [--sink-options O] [--parallelism N]");
            }
            a.put(argv[i].substring(2), argv[++i]);
        }
        return a;
    }

    private static String req(Map<String, String> a, String k) {
        String v = a.get(k);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + k);
        }
        return v;
    }

    private static Long jsonLong(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(-?\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : null;
    }

    private static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    private static String toJson(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append('"').append(e.getKey()).append("\":");
            Object v = e.getValue();
            if (v == null) {
                sb.append("null");
            } else if (v instanceof Number) {
                sb.append(String.format(Locale.ROOT, "%s", v));
            } else {
                sb.append('"').append(v.toString().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return sb.append('}').toString();
    }

    private FlinkPeer() {}
}
