// Kafka partitions as the splits of a parallel source: subtask i of n reads the partitions Flink's
// KafkaSourceEnumerator gives reader i (getSplitOwner: start index from the topic's Java hashCode, then
// partitions round robin), whatever the consumer group: each subtask's consumer reads exactly those
// (assigned-consumer.ts), as Flink's readers assign() the splits the enumerator hands them.

/** java.lang.String.hashCode. */
function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** KafkaSourceEnumerator.getSplitOwner: the subtask that reads this partition. */
export function partitionOwner(topic: string, partition: number, parallelism: number): number {
  const startIndex = (Math.imul(javaHash(topic), 31) & 0x7fffffff) % parallelism;
  return (startIndex + partition) % parallelism;
}
