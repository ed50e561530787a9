// Exactly-once for the kafka sink: a two-phase commit between the sink's Kafka transaction and the job's
// checkpoints. Committing in flush() would make a checkpoint's output visible before the checkpoint is
// stored, so a failure in between would write it again on replay. Instead:
//
//   flush()                  pre-commit: the records and a marker {transactionalId, seq, writer} go into the
//                            open transaction (the marker to MARKER_TOPIC, keyed by the transactional id),
//                            acknowledged, not committed; snapshot() names that transaction and its marker.
//   checkpointComplete(s)    the checkpoint holding s is stored: commit the transaction s names.
//   open(s)                  restore: fence the transactional id (Kafka aborts a transaction a crashed writer
//                            left open), then read s's marker with read_committed. Committed: continue after
//                            it. Not committed: UncommittedCheckpointError; the runtime restores the checkpoint
//                            before, whose replay writes the aborted output again.
//
// A restarted job cannot commit the transaction its predecessor left open (Flink resumes it; kafkajs has no
// way to take over another producer's transaction), so it must learn what became of it: the marker is
// committed exactly when the checkpoint's output is, and stays readable after the writer is gone. The
// snapshot records the marker's offset, so the check reads one record instead of the whole topic, and
// read_committed has to get past only the transactions that began before that offset (not those of writers
// still running, or not yet restarted, that began after it). `writer` (random per opened sink) keeps runs
// that share a transactional id apart: a checkpoint's marker is never mistaken for an equal seq of another run.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../core/log.js';
import { ExternalError, UncommittedCheckpointError, UserError } from '../../core/errors.js';
import type { AdminLink, FetchedMessage, KafkaClient, RecordPosition } from './client.js';
import { RecordProducer, type RecordProducerOptions } from './producer.js';
import type { ConsumerSettings } from './properties.js';

/** Where every exactly-once kafka sink writes its markers. */
export const MARKER_TOPIC = '__sluice_sink_markers';
/**
 * One partition, so markers stay in the order they were written; kept forever (a marker is a few hundred
 * bytes per checkpoint that wrote output), because a savepoint may be restored long after it was taken.
 */
const MARKER_TOPIC_CONFIG = { 'cleanup.policy': 'delete', 'retention.ms': '-1' };
/** How long open() waits to read a restored marker before failing (the job's restart retries it). */
const MARKER_READ_TIMEOUT_MS = 60_000;

/** What the sink's snapshot() holds with exactly-once. */
export interface KafkaSinkState {
  transactionalId: string;
  /** The last transaction pre-committed (or committed) when the snapshot was taken; 0 before the first. */
  seq: number;
  /** The sink instance that wrote it. */
  writer: string;
  /** Where that transaction's marker is; null when it was committed before the snapshot (nothing to check). */
  marker: RecordPosition | null;
}

function isState(s: unknown): s is KafkaSinkState {
  const o = s as KafkaSinkState;
  return typeof o === 'object' && o !== null && typeof o.transactionalId === 'string' && typeof o.seq === 'number' && typeof o.writer === 'string'
    && (o.marker === null || (typeof o.marker === 'object' && typeof o.marker.partition === 'number' && typeof o.marker.offset === 'number'));
}

type Marker = Pick<KafkaSinkState, 'transactionalId' | 'seq' | 'writer'>;

const markerValue = (m: Marker) => JSON.stringify({ transactionalId: m.transactionalId, seq: m.seq, writer: m.writer });

export interface TwoPhaseCommitOptions {
  client: KafkaClient;
  producer: RecordProducerOptions;
  /** The table's consumer settings, for reading the marker topic. */
  consumer: ConsumerSettings;
  table: string;
  log: Logger;
}

export class TwoPhaseCommit {
  /** Random per opened sink; see the header. */
  private readonly writer = randomUUID().slice(0, 8);
  /** Marker of the open transaction once pre-committed, until committed. */
  private precommitted: RecordPosition | null = null;

  private constructor(readonly producer: RecordProducer, private readonly transactionalId: string, private seq: number, private readonly o: TwoPhaseCommitOptions) {}

  /**
   * Opens the transactional producer and, when restoring, checks that the restored checkpoint's output was
   * committed; throws UncommittedCheckpointError when it was not.
   */
  static async open(o: TwoPhaseCommitOptions, restored: unknown | null): Promise<TwoPhaseCommit> {
    if (restored !== null && !isState(restored)) {
      throw new UserError(`kafka sink of table '${o.table}': the restored state is not an exactly-once kafka sink's (${JSON.stringify(restored)})`);
    }
    const state = restored as KafkaSinkState | null;
    const admin = await o.client.admin();
    try {
      if (!(await admin.topicExists(MARKER_TOPIC))) await admin.createTopic(MARKER_TOPIC, 1, MARKER_TOPIC_CONFIG);
      // Fencing comes first: it aborts the transaction a crashed writer left open, whose marker would
      // otherwise hold read_committed reads back until the transaction timed out.
      const producer = await RecordProducer.open(o.client, o.producer);
      try {
        if (state !== null && state.transactionalId !== o.producer.transactionalId) {
          // The prefix or table changed since the checkpoint: the old id's crashed writer is fenced too.
          await (await RecordProducer.open(o.client, { ...o.producer, transactionalId: state.transactionalId })).close();
        }
        if (state?.marker) await checkCommitted(o, admin, state, state.marker);
        return new TwoPhaseCommit(producer, o.producer.transactionalId!, state?.seq ?? 0, o);
      } catch (e) {
        await producer.close();
        throw e;
      }
    } finally {
      await admin.close();
    }
  }

  /** Phase one (the sink's flush()): the output so far and the marker of transaction seq+1, acknowledged, not committed. */
  async preCommit(): Promise<void> {
    const next: Marker = { transactionalId: this.transactionalId, seq: this.seq + 1, writer: this.writer };
    const at = await this.producer.preCommit({ topic: MARKER_TOPIC, record: { key: this.transactionalId, value: markerValue(next) } });
    if (at === null) return; // nothing written since the last pre-commit or commit: the snapshot stays as it was
    this.seq = next.seq;
    this.precommitted = at;
  }

  snapshot(): KafkaSinkState {
    return { transactionalId: this.transactionalId, seq: this.seq, writer: this.writer, marker: this.precommitted };
  }

  /** Phase two (the sink's checkpointComplete()): commits the transaction `state` names, if it is still open. */
  async commit(state: unknown): Promise<void> {
    if (!isState(state) || state.transactionalId !== this.transactionalId) {
      throw new Error(`kafka sink of table '${this.o.table}': checkpointComplete() with a state this sink did not snapshot: ${JSON.stringify(state)}`);
    }
    // A restored checkpoint's (open() found it committed), or one committed before its snapshot.
    if (state.writer !== this.writer || state.marker === null) return;
    if (state.seq > this.seq) throw new Error(`kafka sink of table '${this.o.table}': checkpointComplete() for transaction ${state.seq}, but the last pre-committed is ${this.seq}`);
    // Committed already; or a later flush() added to the same transaction (this checkpoint's completion came
    // late, or never): committing now would publish output of a checkpoint that may not be stored yet.
    if (this.precommitted === null || state.seq < this.seq) {
      if (this.precommitted !== null) this.o.log.debug({ table: this.o.table, seq: state.seq, pending: this.seq }, 'checkpoint completion superseded by a later pre-commit');
      return;
    }
    await this.producer.commit();
    this.precommitted = null;
  }
}

/**
 * Reads the marker at `at` with read_committed after the fencing: there is a record at that offset exactly
 * when the marker's transaction was committed (an aborted one is skipped). Throws UncommittedCheckpointError
 * when it was not.
 */
async function checkCommitted(o: TwoPhaseCommitOptions, admin: AdminLink, state: KafkaSinkState, at: RecordPosition): Promise<void> {
  const where = `marker of transaction ${state.seq} at ${MARKER_TOPIC} partition ${at.partition} offset ${at.offset}`;
  const low = (await admin.offsets(MARKER_TOPIC)).find((p) => p.partition === at.partition)?.low;
  // Below the log start the marker was deleted (retention.ms set on the topic): committed or not is unknown,
  // and guessing either way would lose or repeat output.
  if (low === undefined || at.offset < low) {
    throw new UserError(`kafka sink of table '${o.table}': the ${where} is no longer in the topic, so whether the checkpoint's output was committed is unknown`,
      `${MARKER_TOPIC} must keep its records as long as checkpoints and savepoints are restored (retention.ms=-1)`);
  }
  const found = await readAt(o, at);
  if (found === null) throw new UncommittedCheckpointError(o.table, `${where} was aborted`);
  const value = found.value?.toString('utf8');
  if (found.key?.toString('utf8') !== state.transactionalId || value !== markerValue(state)) {
    throw new UserError(`kafka sink of table '${o.table}': ${MARKER_TOPIC} partition ${at.partition} offset ${at.offset} holds ${value ?? 'null'}, not the ${where}`,
      `was ${MARKER_TOPIC} deleted and created again? The checkpoint cannot be checked`);
  }
}

/** The committed record at `at`, or null when read_committed passes that offset without one. */
async function readAt(o: TwoPhaseCommitOptions, at: RecordPosition): Promise<FetchedMessage | null> {
  // A private group: kafkajs reads through a group only; nothing is committed to it.
  const consumer = o.client.consumer({ ...o.consumer, readUncommitted: false }, `sluice-markers-${o.table}-${randomUUID().slice(0, 8)}`);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<FetchedMessage | null>((resolve, reject) => {
      timer = setTimeout(() => reject(new ExternalError('kafka',
        `${MARKER_TOPIC} partition ${at.partition} was not readable up to offset ${at.offset} within ${MARKER_READ_TIMEOUT_MS / 1000} s: ` +
        'a transaction that began before it is still open (another writer that crashed and has not restarted; it ends at its transaction.timeout.ms)')), MARKER_READ_TIMEOUT_MS);
      const passed = (partition: number, lastOffset: number) => {
        if (partition === at.partition && lastOffset >= at.offset) resolve(null);
      };
      consumer.start([MARKER_TOPIC], {
        assigned: (assignment) => {
          if (assignment[MARKER_TOPIC]?.includes(at.partition)) consumer.seek(MARKER_TOPIC, at.partition, at.offset);
        },
        batch: (b) => {
          const m = b.partition === at.partition ? b.messages.find((r) => Number(r.offset) === at.offset) : undefined;
          if (m) resolve(m);
          else passed(b.partition, b.lastOffset);
        },
        // Fetches of aborted records and control records only never reach batch().
        batchDone: (_topic, partition, lastOffset) => passed(partition, lastOffset),
        crashed: reject,
      }).catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.close();
  }
}
