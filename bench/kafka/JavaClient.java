// The JVM Kafka client (kafka-clients, the jars the local broker runs on) consuming or producing the same records
// as bench/kafka/kafkajs-client.ts: what the broker can serve on this machine, so the kafkajs numbers can be read
// as the Node client's limit rather than the broker's. Run as a single-file program (Java 11+), one JSON line:
//   java -cp '.stack/kafka/libs/*' bench/kafka/JavaClient.java consume 127.0.0.1:9092 TOPIC COUNT
//   java -cp '.stack/kafka/libs/*' bench/kafka/JavaClient.java produce 127.0.0.1:9092 TOPIC COUNT FILE.csv [PARTITIONS [COMMIT_EVERY]]
// With PARTITIONS > 0, line i goes to partition i % PARTITIONS (the harness then knows each partition's largest
// timestamp, which the click count's watermark is the minimum of); with 0, the producer's default partitioner.
// With COMMIT_EVERY, exactly-once as Flink's Kafka sink writes: a transactional producer committing every
// COMMIT_EVERY records (a checkpoint).
import java.io.BufferedReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class JavaClient {
    public static void main(String[] a) throws Exception {
        String mode = a[0], brokers = a[1], topic = a[2];
        long count = Long.parseLong(a[3]);
        long startMs = ManagementFactory.getRuntimeMXBean().getStartTime();
        long first = 0, last, bytes = 0;
        Properties p = new Properties();
        p.put("bootstrap.servers", brokers);
        if (mode.equals("consume")) {
            p.put("group.id", "bench-java-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis());
            p.put("auto.offset.reset", "earliest");
            p.put("enable.auto.commit", "false");
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                c.subscribe(List.of(topic));
                long seen = 0;
                long lastProgress = System.currentTimeMillis();
                while (seen < count) {
                    ConsumerRecords<byte[], byte[]> rs = c.poll(Duration.ofMillis(500));
                    if (rs.isEmpty()) {
                        // A broker that went away must not keep the benchmark waiting.
                        if (System.currentTimeMillis() - lastProgress > 60_000) throw new IllegalStateException("no records for 60 s after " + seen);
                        continue;
                    }
                    lastProgress = System.currentTimeMillis();
                    if (seen == 0) first = System.currentTimeMillis();
                    for (ConsumerRecord<byte[], byte[]> r : rs) bytes += r.value().length;
                    seen += rs.count();
                }
                last = System.currentTimeMillis();
            }
        } else {
            p.put("acks", "all");
            p.put("linger.ms", "5");
            int partitions = a.length > 5 ? Integer.parseInt(a[5]) : 0;
            long commitEvery = a.length > 6 ? Long.parseLong(a[6]) : 0;
            if (commitEvery > 0) p.put("transactional.id", "bench-java-" + ProcessHandle.current().pid());
            try (KafkaProducer<byte[], byte[]> pr = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
                 BufferedReader in = Files.newBufferedReader(Paths.get(a[4]), StandardCharsets.ISO_8859_1)) {
                if (commitEvery > 0) {
                    pr.initTransactions();
                    pr.beginTransaction();
                }
                first = System.currentTimeMillis();
                String line;
                for (long i = 0; i < count && (line = in.readLine()) != null; i++) {
                    byte[] value = line.getBytes(StandardCharsets.ISO_8859_1);
                    pr.send(partitions > 0
                            ? new ProducerRecord<>(topic, (int) (i % partitions), null, value)
                            : new ProducerRecord<>(topic, value));
                    if (commitEvery > 0 && (i + 1) % commitEvery == 0) {
                        pr.commitTransaction();
                        pr.beginTransaction();
                    }
                }
                if (commitEvery > 0) pr.commitTransaction();
                else pr.flush();
                last = System.currentTimeMillis();
            }
        }
        double seconds = (last - first) / 1000.0;
        System.out.printf("{\"engine\":\"java-%s\",\"records\":%d,\"seconds\":%.3f,\"recordsPerSecond\":%d,\"firstResultSeconds\":%.3f,\"firstEpochMs\":%d,\"lastEpochMs\":%d,\"valueBytes\":%d,\"javaVersion\":\"%s\"}%n",
            mode, count, seconds, Math.round((count - 1) / seconds), (first - startMs) / 1000.0, first, last, bytes, System.getProperty("java.version"));
    }
}
