// `sluice datagen clicks|transactions|payments --topic <t> [--rate <n/s>] [--count <n>] [--partitions <n>] [--bootstrap-servers <hosts>]`:
// feeds a Kafka topic with one of the playgrounds' data sets (runtime/playground-data/). Without --count it runs
// until Ctrl-C (SIGINT/SIGTERM), then flushes what it generated. On a terminal it keeps one progress line
// (records so far, current rate) on stdout; piped, it writes nothing until its end. Either way it ends with
// one readable summary line (records, seconds, rate, topic).
import { UserError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { DATAGEN_KINDS } from '../playground-data/kinds.js';
import { runDatagen, type DatagenSummary } from '../playground-data/run-datagen.js';

export interface DatagenCommandOptions {
  /** Default: the playground's topic for the kind (transactions, input, payment_msg). */
  topic?: string;
  /** Records per second (default: the playground generator's rate); 0 for unthrottled. */
  rate?: number | string;
  /** Stop after this many records (default: run until interrupted). */
  count?: number | string;
  /** Default: $KAFKA_BOOTSTRAP (stack/env.sh), else localhost:9092. */
  bootstrapServers?: string;
  /** Stops the generator; without one, SIGINT and SIGTERM do. */
  signal?: AbortSignal;
  /** Where the progress line (only when it is a TTY) and the summary go (default process.stdout). */
  progress?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Fixed seed for reproducible data. */
  seed?: number;
  /** Creates the topic with this many partitions when it does not exist. */
  partitions?: number | string;
}

function numberOption(name: string, value: number | string | undefined, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new UserError(`--${name} must be a ${integer ? 'non-negative integer' : 'non-negative number'}, got '${value}'`);
  }
  return n;
}

export async function runDatagenCommand(kind: string, options: DatagenCommandOptions = {}): Promise<DatagenSummary> {
  const k = DATAGEN_KINDS[kind];
  if (!k) throw new UserError(`unknown data set '${kind}'`, `choose one of: ${Object.keys(DATAGEN_KINDS).join(', ')}`);
  const rate = numberOption('rate', options.rate, k.defaultRate, false);
  const count = numberOption('count', options.count, Infinity, true);
  const topic = options.topic ?? k.defaultTopic;
  const partitions = options.partitions === undefined ? undefined : numberOption('partitions', options.partitions, 1, true);
  if (partitions === 0) throw new UserError('--partitions must be at least 1');
  const bootstrapServers = options.bootstrapServers ?? process.env.KAFKA_BOOTSTRAP ?? 'localhost:9092';

  const controller = new AbortController();
  const stop = () => controller.abort();
  if (options.signal) options.signal.addEventListener('abort', stop, { once: true });
  else {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  const out = options.progress ?? process.stdout;
  const progress = progressLine(out, `${kind} → ${topic}`);
  try {
    const summary = await runDatagen({
      kind: k, topic, rate, count, bootstrapServers, signal: controller.signal, log: createLogger('datagen'),
      seed: options.seed, partitions, onProgress: out.isTTY ? progress.update : undefined,
    });
    progress.end(summary);
    return summary;
  } finally {
    options.signal?.removeEventListener('abort', stop);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/**
 * On a terminal, one line rewritten at most every 500 ms: total records and the rate over the last interval.
 * The summary ends it; piped, the summary is the only line.
 */
function progressLine(out: NodeJS.WritableStream & { isTTY?: boolean }, label: string) {
  let lastAt = performance.now();
  let lastRecords = 0;
  return {
    update: (records: number) => {
      const now = performance.now();
      if (now - lastAt < 500) return;
      const rate = ((records - lastRecords) * 1000) / (now - lastAt);
      out.write(`\r${label}: ${records} records, ${Math.round(rate)}/s   `);
      lastAt = now;
      lastRecords = records;
    },
    end: ({ records, elapsedMs }: DatagenSummary) => {
      out.write(`${out.isTTY ? '\r' : ''}${label}: ${records} records in ${(elapsedMs / 1000).toFixed(1)} s (${Math.round((records * 1000) / Math.max(1, elapsedMs))}/s)\n`);
    },
  };
}
