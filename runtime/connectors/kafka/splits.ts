// The kafka source's splits are its topic partitions (split id `topic-partition`, as the reader names them),
// each with the next offset to read; a partition is read by the subtask Flink's KafkaSourceEnumerator gives it
// (getSplitOwner: the topic's hash picks a start subtask, partitions follow round robin), so a partition's
// offset follows it when a snapshot restores at another parallelism.
import type { SplitPositions } from '../../core/connector.js';
import { stringHash } from '../../core/java-hash.js';
import type { KafkaPosition } from './source.js';

/** `topic-partition` → [topic, partition]; topics may contain '-', partitions do not. */
function parseSplit(split: string): [string, number] {
  const i = split.lastIndexOf('-');
  return [split.slice(0, i), Number(split.slice(i + 1))];
}

export const kafkaSplits: SplitPositions = {
  split(position) {
    const out: Record<string, number> = {};
    for (const [topic, partitions] of Object.entries((position as KafkaPosition | null)?.offsets ?? {})) {
      for (const [partition, offset] of Object.entries(partitions)) out[`${topic}-${partition}`] = offset;
    }
    return out;
  },
  // Never null: a reader restored without a partition's offset reads a partition new to the job as such.
  join(splits): KafkaPosition {
    const offsets: KafkaPosition['offsets'] = {};
    for (const [split, offset] of Object.entries(splits)) {
      const [topic, partition] = parseSplit(split);
      (offsets[topic] ??= {})[partition] = offset as number;
    }
    return { offsets };
  },
  owner(split, parallelism) {
    const [topic, partition] = parseSplit(split);
    // The formula of split-assigner.ts's partitionOwner, which the running readers use; not imported from
    // there: it loads kafkajs, and this declaration must stay light.
    const start = (Math.imul(stringHash(topic), 31) & 0x7fffffff) % parallelism;
    return (start + partition) % parallelism;
  },
};
