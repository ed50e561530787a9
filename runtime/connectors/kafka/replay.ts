// The input range of a streaming run for `sluice reconcile`: a checkpointed KafkaPosition holds the next
// offsets per partition and where the run first started (KafkaPosition.start); the replay reads exactly
// [start, position) with scan.startup/bounded specific-offsets, and the tail [position, log end) with
// latest-offset. Without a consumer group: a replay must neither commit offsets nor join a running job's group.
// Light: no client library (the connector definition imports it).
import type { ReplayOptions } from '../../core/connector.js';
import { readTopics } from './options.js';

interface Position {
  offsets?: Record<string, Record<string, number>>;
  start?: Record<string, Record<string, number>>;
}

const spell = (m: Record<string, number>) => Object.entries(m).map(([p, o]) => `partition:${p},offset:${o}`).join(';');

export function kafkaReplayOptions(options: Record<string, string>, position: unknown): ReplayOptions | { problem: string } {
  const pos = position as Position | null;
  const topics = readTopics(options);
  if (topics.length !== 1) return { problem: `it reads ${topics.length} topics; a replay range is given per partition of one topic` };
  const topic = topics[0];
  const end = pos?.offsets?.[topic];
  if (!end || Object.keys(end).length === 0) return { problem: `the checkpoint holds no position for topic ${topic}` };
  const start = pos?.start?.[topic];
  if (!start) return { problem: 'the checkpoint does not say where the run started (it was taken by an older sluice); take a new checkpoint' };
  // Partitions that appeared after the start were read from their beginning.
  const from = Object.fromEntries(Object.keys(end).map((p) => [p, start[p] ?? 0]));
  const base = { ...options };
  for (const k of ['properties.group.id', 'scan.startup.timestamp-millis', 'scan.bounded.timestamp-millis']) delete base[k];
  let records = 0;
  for (const p of Object.keys(end)) records += Math.max(0, end[p] - from[p]);
  return {
    range: {
      ...base, 'scan.startup.mode': 'specific-offsets', 'scan.startup.specific-offsets': spell(from),
      'scan.bounded.mode': 'specific-offsets', 'scan.bounded.specific-offsets': spell(end),
    },
    tail: { ...base, 'scan.startup.mode': 'specific-offsets', 'scan.startup.specific-offsets': spell(end), 'scan.bounded.mode': 'latest-offset' },
    records,
    describe: `topic ${topic} ${Object.keys(end).map((p) => `partition ${p} offsets ${from[p]}..${end[p] - 1}`).join(', ')}`,
  };
}
