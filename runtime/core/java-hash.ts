// Java's String.hashCode, which Flink's placements start from (key groups, Kafka partitions to subtasks).

/** java.lang.String.hashCode (UTF-16 code units, as JavaScript strings are). */
export function stringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}
