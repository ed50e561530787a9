// Where a kafka source starts when no checkpoint says otherwise: scan.startup.mode resolved to a concrete
// offset per partition before the first fetch. Resolving up front (rather than letting the consumer pick
// 'latest' lazily) means the first checkpoint already holds an exact position for every partition, so a
// restore never skips records that arrived between the start and the first record read.
import { UserError } from '../../core/errors.js';
import type { AdminLink } from './client.js';
import { parseSpecificOffsets, type BoundedMode, type StartupMode } from './options.js';
import type { ConsumerSettings } from './properties.js';

/** Next offset to read, by topic and partition. */
export type Offsets = Map<string, Map<number, number>>;

/** A scan.startup.* or scan.bounded.* position: its mode, and the timestamp or offsets that mode reads. */
interface PositionConfig<Mode> {
  mode: Mode;
  timestampMillis: number;
  specific: Map<number, number>;
}

export type StartupConfig = PositionConfig<StartupMode>;
export type BoundedConfig = PositionConfig<Exclude<BoundedMode, 'unbounded'>>;

function readPosition<Mode>(options: Record<string, string>, scope: 'startup' | 'bounded', mode: Mode): PositionConfig<Mode> {
  return {
    mode,
    timestampMillis: Number(options[`scan.${scope}.timestamp-millis`] ?? 0),
    specific: parseSpecificOffsets(options[`scan.${scope}.specific-offsets`] ?? '') ?? new Map(),
  };
}

/** Flink's default is group-offsets; partitions without a committed offset follow properties.auto.offset.reset. */
export function readStartup(options: Record<string, string>, upsert: boolean): StartupConfig {
  // upsert-kafka always reads the whole changelog: a table's state is every key's last record.
  return readPosition(options, 'startup', upsert ? 'earliest-offset' : ((options['scan.startup.mode'] ?? 'group-offsets') as StartupMode));
}

/**
 * The start offset of every partition of the topics. A topic that does not exist yet has no entry: its
 * partitions are read from the earliest offset when they appear, as Flink does with discovered partitions.
 */
export async function resolveStartOffsets(admin: AdminLink, topics: string[], startup: StartupConfig, consumer: ConsumerSettings): Promise<Offsets> {
  const out: Offsets = new Map();
  for (const topic of topics) {
    if (!(await admin.topicExists(topic))) continue;
    const bounds = await admin.offsets(topic);
    const committed = consumer.groupId !== null && (startup.mode === 'group-offsets' || startup.mode === 'specific-offsets')
      ? await admin.committed(consumer.groupId, topic)
      : new Map<number, number>();
    const at = startup.mode === 'timestamp' ? await admin.offsetsAt(topic, startup.timestampMillis) : null;
    const offsets = new Map<number, number>();
    for (const { partition, low, high } of bounds) {
      offsets.set(partition, clamp(pick(partition, low, high), low, high));
    }
    out.set(topic, offsets);

    function pick(partition: number, low: number, high: number): number {
      switch (startup.mode) {
        case 'earliest-offset': return low;
        case 'latest-offset': return high;
        case 'timestamp': return at!.get(partition) ?? high;
        case 'specific-offsets': return startup.specific.get(partition) ?? committed.get(partition) ?? low;
        case 'group-offsets': {
          const c = committed.get(partition);
          if (c !== undefined) return c;
          if (consumer.autoOffsetReset === 'none') {
            throw new UserError(
              `topic ${topic} partition ${partition}: group '${consumer.groupId}' has no committed offset and 'properties.auto.offset.reset' is 'none'`,
              "set 'properties.auto.offset.reset' to 'earliest' or 'latest', or choose another 'scan.startup.mode'",
            );
          }
          return consumer.autoOffsetReset === 'latest' ? high : low;
        }
      }
    }
  }
  return out;
}

/** An offset outside the log (deleted by retention, or beyond its end) starts at the nearest end, as auto.offset.reset would. */
const clamp = (offset: number, low: number, high: number) => Math.min(Math.max(offset, low), high);

/** scan.bounded.mode, or null for an unbounded read (the default). */
export function readBounded(options: Record<string, string>): BoundedConfig | null {
  const mode = (options['scan.bounded.mode'] ?? 'unbounded') as BoundedMode;
  return mode === 'unbounded' ? null : readPosition(options, 'bounded', mode);
}

/**
 * Where a bounded read stops: the offset after the last record to read, per partition, resolved once when the
 * source opens (as Flink's OffsetsInitializer for stopping offsets). latest-offset: the log end then;
 * group-offsets: the group's committed offsets (the log end where none); timestamp: the first record at or
 * after the time; specific-offsets: as given (partitions not named: the log end).
 */
export async function resolveStopOffsets(admin: AdminLink, topics: string[], bounded: BoundedConfig, consumer: ConsumerSettings): Promise<Offsets> {
  const out: Offsets = new Map();
  for (const topic of topics) {
    if (!(await admin.topicExists(topic))) continue;
    const bounds = await admin.offsets(topic);
    const committed = bounded.mode === 'group-offsets' && consumer.groupId !== null ? await admin.committed(consumer.groupId, topic) : new Map<number, number>();
    const at = bounded.mode === 'timestamp' ? await admin.offsetsAt(topic, bounded.timestampMillis) : null;
    const offsets = new Map<number, number>();
    for (const { partition, low, high } of bounds) {
      const stop = bounded.mode === 'latest-offset' ? high
        : bounded.mode === 'group-offsets' ? committed.get(partition) ?? high
          : bounded.mode === 'timestamp' ? at!.get(partition) ?? high
            : bounded.specific.get(partition) ?? high;
      offsets.set(partition, clamp(stop, low, high));
    }
    out.set(topic, offsets);
  }
  return out;
}
