// The connector seam: one interface for every connector. A connector is a folder under runtime/connectors/
// plus one line in runtime/connectors/registry.ts. Its option schema is used by the compiler (validation)
// and the runtime alike; the client library is loaded only when a source or sink is created.
import type { Field } from './data-types.js';
import type { Logger } from './log.js';
import type { OperatorMetrics } from './metrics.js';
import type { OptionProblem, OptionSchema } from './options.js';
import type { Batch, ChangelogMode, Row, RowKind } from './row.js';

/** What a connector knows about the table it serves. */
export interface TableInfo {
  table: string;
  /** All physical columns declared in the DDL, in order (formats like csv map by position). */
  declared: Field[];
  primaryKey: string[];
  options: Record<string, string>;
}

/** A keyed sink's first table check: every PRIMARY KEY column is a declared column. */
export function undeclaredKeyProblems(table: TableInfo): OptionProblem[] {
  const names = new Set(table.declared.map((f) => f.name));
  return table.primaryKey.filter((key) => !names.has(key))
    .map((key) => ({ option: 'PRIMARY KEY', message: `primary key column '${key}' is not a column of the table` }));
}

/**
 * Which parallel instance of the operator this is (Flink's subtask index of the parallelism): a source reads
 * only its share of the splits, a sink writes with its own ids (part files, transactional ids). Absent: 0 of 1.
 */
export interface SubtaskInfo {
  index: number;
  parallelism: number;
}

export interface SourceContext extends TableInfo {
  subtask?: SubtaskInfo;
  /** The physical columns to produce, after projection pushdown: decoders read only these. */
  fields: Field[];
  metrics: OperatorMetrics;
  log: Logger;
  /** Resolves when the job is stopping; long waits should give up then. */
  signal: AbortSignal;
}

export interface SourceBatch {
  /** The split (partition, file) the rows came from: watermarks are tracked per split. */
  split: string;
  /**
   * New objects holding the table's columns, which the source keeps no reference to: the job owns them (a
   * generated stage that is their only reader writes its output into them instead of allocating rows).
   */
  rows: Row[];
  /** Changelog kinds per row, for sources that read a changelog (upsert-kafka); absent means inserts. */
  kinds?: RowKind[] | null;
}

export interface SourceReader {
  readonly bounded: boolean;
  /** Opens at the start position, or at a position from a checkpoint (what snapshot() returned). */
  open(restored: unknown | null): Promise<void>;
  /**
   * The next batch; an empty batch when nothing arrived within a short wait (so timers and idleness can run);
   * null when a bounded source is exhausted.
   */
  poll(): Promise<SourceBatch | null>;
  /** The splits currently assigned, for watermark alignment. */
  splits(): string[];
  /** Position after the last batch returned by poll(), as plain JSON. */
  snapshot(): unknown;
  /**
   * The job is done with these rows of the last batch and keeps no reference to them: the reader may decode
   * the next records into them instead of allocating (the runner calls it only when every reader of the
   * source's rows is a generated stage that does not pass them on).
   */
  recycle?(rows: Row[]): void;
  /** A checkpoint holding snapshot() completed: commit offsets where the system has them. */
  checkpointComplete?(position: unknown): Promise<void>;
  close(): Promise<void>;
}

export interface SinkContext extends TableInfo {
  subtask?: SubtaskInfo;
  /** The columns written, in order. */
  schema: Field[];
  /** The changelog the input produces. */
  changelog: ChangelogMode;
  metrics: OperatorMetrics;
  log: Logger;
  signal: AbortSignal;
}

export interface SinkWriter {
  /**
   * Opens fresh (null) or at what snapshot() returned for a checkpoint. A writer that commits in two phases
   * (see checkpointComplete) throws UncommittedCheckpointError (core/errors.ts) when the restored
   * checkpoint's pre-committed output was never committed: the runtime then discards that checkpoint and
   * restores the one before it (whose replay writes that output again), so it must keep that one until the
   * newer checkpoint's checkpointComplete() calls resolved.
   */
  open(restored: unknown | null): Promise<void>;
  /**
   * A restore at a lower parallelism (subtask 0 only, after open()): what snapshot() returned in the subtasks
   * that no longer exist, with their indexes. The writer finishes their work as Flink's sinks do on restore:
   * the output they pre-committed for the restored checkpoint is made visible or, when it cannot be, the
   * restore is refused (UncommittedCheckpointError, as open()); whatever they wrote after it is discarded (a
   * lingering Kafka transaction aborted, a part file cut back), since the sources replay it. A writer whose
   * snapshot() holds state must have it.
   */
  takeOver?(vanished: { subtask: number; state: unknown }[]): Promise<void>;
  /**
   * Takes a batch; returns a promise while its buffers are full, which holds the source back (backpressure).
   * The rows are the sink's to keep: nothing in the runtime changes a row once an operator has emitted it.
   */
  write(batch: Batch): void | Promise<void>;
  /**
   * Makes everything written so far durable (a two-phase writer pre-commits it: durable but not yet visible,
   * see checkpointComplete). The runtime calls it before a checkpoint completes (the snapshot is taken after
   * it resolves) and at the end of input.
   */
  flush(): Promise<void>;
  /** State to restore the writer to after a failure (e.g. how much of a part file is committed). */
  snapshot?(): unknown;
  /**
   * The checkpoint holding `state` (what snapshot() returned after a flush()) is durable: a writer that
   * commits in two phases makes the output it pre-committed in that flush() visible now, not in flush(), so
   * a failure before the checkpoint is stored cannot leave output that the restored job writes again. Also
   * called when a job ends or stops, after the final flush(), with the final snapshot() (for a stop: once the
   * savepoint holding it is stored), before close(). A rejection fails the job over: whether the output was
   * committed is then decided by open() of the restored writer. Writers without it are done after flush().
   */
  checkpointComplete?(state: unknown): Promise<void>;
  close(): Promise<void>;
}

/** A sink table to read back (`sluice reconcile`): its columns are `declared`. */
export interface TableReadContext extends TableInfo {
  /** Counts what cannot be read (badRecordsSkipped: records the format cannot decode). */
  metrics: OperatorMetrics;
  log: Logger;
  signal: AbortSignal;
}

export interface ConnectorModule {
  createSource?(ctx: SourceContext): SourceReader;
  createSink?(ctx: SinkContext): SinkWriter;
  /**
   * What a sink table holds now, as rows of its declared columns: every record of an append-only table, the
   * latest row per primary key of a keyed one. Absent: the connector's output cannot be read back (print).
   */
  readTable?(ctx: TableReadContext): Promise<Row[]>;
  /** A lookup source for lookup joins (FOR SYSTEM_TIME AS OF a proctime). */
  createLookup?(ctx: LookupContext): LookupSource;
}

/** A table looked up by key: `keys` are the columns compared, `fields` the columns returned. */
export interface LookupContext extends TableInfo {
  keys: string[];
  fields: Field[];
  metrics: OperatorMetrics;
  log: Logger;
  signal: AbortSignal;
}

export interface LookupSource {
  open(): Promise<void>;
  /** The rows of each key (values in `keys` order, none NULL), in the order asked: all keys of a batch at once, so a slow database is not asked key by key. */
  lookup(keys: readonly (readonly unknown[])[]): Promise<Row[][]>;
  close(): Promise<void>;
}

/** Source options for a replay of a streaming run's input (Connector.replayOptions). */
export interface ReplayOptions {
  /** The consumed range: from the run's start to the checkpoint's position, bounded. */
  range: Record<string, string>;
  /** What the run had not consumed at the checkpoint: from its position to the end of the input now, bounded. */
  tail: Record<string, string>;
  /** Records in the range, for progress. */
  records: number;
  /** The range in words, for the report ('topic transactions partition 0 offsets 0..1200'). */
  describe: string;
}

/**
 * How a source's position (what SourceReader.snapshot() returns) divides into its splits (Kafka partitions,
 * files, datagen ranges), and which subtask reads a split: a snapshot restores at another parallelism by
 * handing each split's position to the subtask that reads it now (runtime/exec/redistribute.ts). Pure
 * functions of plain JSON, light enough for a connector's declaration.
 */
export interface SplitPositions {
  /** A reader's position as the position of each split it holds, by split id (as SourceBatch.split). */
  split(position: unknown): Record<string, unknown>;
  /** The position of a reader restored with these splits (none: it restores holding no split). */
  join(splits: Record<string, unknown>): unknown;
  /** The subtask (0 ≤ result < parallelism) that reads a split: the source's split assignment. */
  owner(split: string, parallelism: number): number;
}

/** What a connector can be in a job: a scanned source, a sink, or a lookup source (joined by key: jdbc). */
export type ConnectorRole = 'source' | 'sink' | 'lookup';

/**
 * A connector declares its behaviour here and the compiler, the bundler and the run-time overrides read only
 * these declarations (no file outside runtime/connectors/ names a connector).
 */
export interface Connector {
  name: string;
  /** The WITH options, checked by compiler and runtime alike (runtime/connectors/check-table.ts). */
  options: OptionSchema;
  /** Roles this connector can play. */
  roles: ConnectorRole[];
  /** The changelog a source produces; 'upsert' makes the table's PRIMARY KEY its upsert key. Default: 'insert-only'. */
  produces?: ChangelogMode;
  /** What a sink accepts: only inserts, or updates/deletes keyed by the primary key. */
  sinkAccepts: 'insert-only' | 'upsert';
  /**
   * `produces` and `sinkAccepts` for a table whose options change them: a changelog format (debezium-json,
   * canal-json) makes a kafka or filesystem table an updating source and a sink that takes every change.
   * Undefined: the declarations above hold.
   */
  changelogWith?(options: Record<string, string>): { produces: ChangelogMode; sinkAccepts: 'insert-only' | 'upsert' } | undefined;
  /**
   * When a sink needs a PRIMARY KEY: 'always' (its validate() says why), 'for-updates' (an updating input is
   * applied by key; an append-only one is appended), or never (default: it shows or drops the changelog as is).
   */
  primaryKey?: 'always' | 'for-updates' | 'never';
  /**
   * Which bundles carry the implementation: 'always' (no client library; what run-time swaps go to, e.g.
   * `--set t.connector=datagen`) or only those whose job uses it ('when-used', the default).
   */
  bundle?: 'always' | 'when-used';
  /**
   * The implementation brings the Kafka client. The exchanges of a job spread over several taskmanagers go
   * through Kafka topics with that client, so a bundle carries their transport only with such a connector.
   */
  bringsKafkaClient?: boolean;
  /**
   * For `sluice reconcile`: the source options that read exactly what a streaming run consumed, from its start
   * to `position` (what its reader's snapshot() returned in a checkpoint), and those that read what came after
   * (`tail`); a problem when the position cannot say. Absent: a bounded source is re-read whole.
   */
  replayOptions?(options: Record<string, string>, position: unknown): ReplayOptions | { problem: string };
  /**
   * Whether a source reading with these options ends (a file, a row count, a bounded Kafka range), as far as
   * the options alone say: the compiler's warnings ask it. Absent: the source never ends.
   */
  endsWith?(options: Record<string, string>): boolean;
  /** A source's splits, for restoring its position at another parallelism; without it, it cannot be rescaled. */
  splits?: SplitPositions;
  /** Checks beyond single options (format options, key fields against columns). */
  validate?(table: TableInfo, role: ConnectorRole): OptionProblem[];
  /**
   * Loads the implementation (and its client library) lazily, by dynamic import() calls written in the
   * connector's connector.ts itself: a bundle whose job does not use the connector replaces exactly those
   * imports (compiler/bundle/bundle-job.ts), so the implementation and its library stay out of it.
   */
  load(): Promise<ConnectorModule>;
}
