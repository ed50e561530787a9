// node-rdkafka's producer alone, for bench/README.md's fifth round (the candidate that was not kept; it is not a
// dependency of sluice). To re-measure, outside this checkout:
//   apt-get install librdkafka-dev
//   mkdir /tmp/rd && cd /tmp/rd && npm init -y && npm install node-rdkafka@3.6.1
//   cd node_modules/node-rdkafka && BUILD_LIBRDKAFKA=0 npm_config_nodedir=/usr npx node-gyp rebuild   # npm skipped its build script
//   NODE_PATH=/tmp/rd/node_modules node bench/kafka/rdkafka-producer.cjs 127.0.0.1:9092 TOPIC 1000000 bench/.work/input/1000000/bids.csv [100000]
// A file's lines into a topic, acks=all, linger.ms 5; with a 5th argument N, transactional with a commit every N
// records. Prints CPU µs per record (the whole process, librdkafka's threads included) from the first record to
// the last acknowledged (flush) or committed.
const Kafka = require('node-rdkafka');
const fs = require('fs');
const [brokers, topic, countS, input, commitS] = process.argv.slice(2);
const count = Number(countS), commitEvery = Number(commitS ?? 0);
const lines = fs.readFileSync(input, 'latin1').split('\n', count);
const conf = { 'metadata.broker.list': brokers, 'acks': 'all', 'linger.ms': 5, 'queue.buffering.max.messages': 1000000, 'queue.buffering.max.kbytes': 1048576, 'batch.num.messages': 16384, 'dr_cb': false };
if (commitEvery > 0) conf['transactional.id'] = `bench-rd-${process.pid}`;
const p = new Kafka.Producer(conf, {});
const cb = (f) => new Promise((res, rej) => f((e) => (e ? rej(e) : res())));
p.connect();
p.on('ready', async () => {
  try {
    if (commitEvery) { await cb((k) => p.initTransactions(10000, k)); await cb((k) => p.beginTransaction(k)); }
    const c0 = process.cpuUsage(); const t0 = Date.now();
    for (let i = 0; i < lines.length; i++) {
      for (;;) {
        try { p.produce(topic, null, Buffer.from(lines[i], 'latin1'), null, Date.now()); break; }
        catch (e) { if (e.code !== Kafka.CODES.ERRORS.ERR__QUEUE_FULL) throw e; p.poll(); await new Promise((r) => setTimeout(r, 1)); }
      }
      if (commitEvery && (i + 1) % commitEvery === 0) { await cb((k) => p.commitTransaction(30000, k)); await cb((k) => p.beginTransaction(k)); }
    }
    if (commitEvery) await cb((k) => p.commitTransaction(30000, k)); else await cb((k) => p.flush(60000, k));
    const t1 = Date.now(); const c = process.cpuUsage(c0);
    console.log(JSON.stringify({ engine: commitEvery ? 'rdkafka-produce-eo' : 'rdkafka-produce', records: count, seconds: (t1 - t0) / 1000, recordsPerSecond: Math.round(count / ((t1 - t0) / 1000)), cpuUsPerRecord: +(((c.user + c.system) / count).toFixed(3)), librdkafka: Kafka.librdkafkaVersion, load: require('os').loadavg()[0] }));
    p.disconnect(() => process.exit(0));
  } catch (e) { console.error(e); process.exit(1); }
});
