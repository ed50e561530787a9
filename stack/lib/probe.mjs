// Readiness probes for the local stack, dependency-free (Node 20 built-ins only).
//
//   node stack/lib/probe.mjs kafka <host> <port>   Kafka Metadata request must list >= 1 broker
//   node stack/lib/probe.mjs es <url>              Elasticsearch cluster health must be yellow or green
//
// Exit code 0 = ready, 1 = not ready (reason on stderr).
import net from 'node:net';

const TIMEOUT_MS = 3000;

function kafkaMetadata(host, port) {
  // Metadata v4 (non-flexible; Kafka 4 dropped v0-v3), no topics, no auto-create.
  const clientId = Buffer.from('sluice-stack-probe');
  const header = Buffer.alloc(2 + 2 + 4 + 2);
  header.writeInt16BE(3, 0); // api_key = Metadata
  header.writeInt16BE(4, 2); // api_version
  header.writeInt32BE(7, 4); // correlation_id
  header.writeInt16BE(clientId.length, 8);
  const body = Buffer.alloc(4 + 1);
  body.writeInt32BE(0, 0); // topics: empty array
  body.writeInt8(0, 4); // allow_auto_topic_creation = false
  const payload = Buffer.concat([header, clientId, body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length, 0);

  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('timeout'));
    }, TIMEOUT_MS);
    sock.on('connect', () => sock.write(Buffer.concat([size, payload])));
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
      clearTimeout(timer);
      sock.destroy();
      // size, correlation_id, throttle_time_ms, brokers[]
      const corr = buf.readInt32BE(4);
      const brokers = buf.readInt32BE(12);
      if (corr !== 7) return reject(new Error(`bad correlation id ${corr}`));
      if (brokers < 1) return reject(new Error('no brokers in metadata'));
      resolve(`${brokers} broker(s)`);
    });
  });
}

async function esHealth(url) {
  const res = await fetch(`${url.replace(/\/$/, '')}/_cluster/health`, {
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const health = await res.json();
  if (health.status !== 'green' && health.status !== 'yellow') {
    throw new Error(`cluster status ${health.status}`);
  }
  return `cluster ${health.cluster_name} ${health.status}`;
}

const [kind, ...args] = process.argv.slice(2);
try {
  let msg;
  if (kind === 'kafka') msg = await kafkaMetadata(args[0] ?? '127.0.0.1', Number(args[1] ?? 9092));
  else if (kind === 'es') msg = await esHealth(args[0] ?? 'http://127.0.0.1:9200');
  else throw new Error(`unknown probe '${kind}'`);
  console.log(msg);
  process.exit(0);
} catch (e) {
  console.error(`not ready: ${e.message}`);
  process.exit(1);
}
