// Exactly-once for the kafka sinks: a two-phase commit between a Kafka transaction and the job's checkpoints.
// Committing in flush() would make a checkpoint's output visible before the checkpoint is stored, so a failure
// in between would write it again on replay. Instead:
//
//   flush()                  pre-commit: the records and a marker {transactionalId, seq, writer} go into the
//                            open transaction (the marker to MARKER_TOPIC, keyed by the transactional id),
//                            acknowledged, not committed; snapshot() names that transaction and its marker.
//   checkpointComplete(s)    the checkpoint holding s is stored: commit the transaction s names.
//   open(s)                  restore: commit the transaction s names if it is still open (Flink's
//                            recoverAndCommit), then fence the transactional id (Kafka aborts whatever later
//                            transaction a crashed writer left open), then read s's marker with read_committed.
//                            Committed: continue after it. Not committed (it was aborted: it outlived
//                            transaction.timeout.ms): UncommittedCheckpointError; the runtime restores the
//                            checkpoint before, whose replay writes the aborted output again.
//
// So a checkpoint is complete once every subtask's pre-commit is in it, as in Flink: a subtask killed after
// the checkpoint was stored and before its commit (or whose commit request never came, its coordinator being
// the one killed) has its output committed by the next attempt, and no attempt falls back to an older
// checkpoint whose output other subtasks committed already (which repeated their windows). For that a
// transaction must be named exactly: every transaction begins under a fresh producer epoch (batch-sender.ts),
// the snapshot records the producer id and epoch of the pre-committed one, and the recovery's EndTxn commits
// that one only; a later transaction of the same run has a later epoch and is refused, then fenced. A run that
// ends (cancel, failure) at parallelism > 1 leaves a pre-committed transaction open for the same reason
// (leave()); a transaction with no pre-commit in it is aborted.
//
// One transaction per job subtask and Kafka cluster, shared by all of the subtask's exactly-once kafka sinks
// on that cluster (issue 13.6): their outputs of a checkpoint become visible in one commit, so two sinks can
// never disagree after a crash (with a transaction each, a crash between the two commits left one sink's
// output committed and the other's aborted, and the replay wrote the first one's again). The transaction
// belongs to the subtask's run: the sinks of one JobRunner share its abort signal, which scopes it, and the
// subtask index (0 without parallel subtasks) is part of the transactional id, `<prefix>-<subtask>`, where
// prefix is the 'sink.transactional-id-prefix' of the first of those sinks opened (in plan order). Each sink
// hands its records to the transaction (producer.ts hold()); the last sink to flush writes the one marker.
//
// After the recovery's commit the restore still checks what became of the transaction: the marker is
// committed exactly when the checkpoint's output is, and stays readable after the writer is gone. The
// snapshot records the marker's offset, so the check reads one record instead of the whole topic, and
// read_committed has to get past only the transactions that began before that offset (not those of writers
// still running, or not yet restarted, that began after it). `writer` (random per opened transaction) keeps
// runs that share a transactional id apart: a checkpoint's marker is never mistaken for an equal seq of another run.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../core/log.js';
import { ExternalError, UncommittedCheckpointError, UserError } from '../../core/errors.js';
import type { AdminLink, FetchedMessage, KafkaClient, OpenTransaction, OutRecord, ProducerLink, RecordPosition, SinkPartitioner, TransactionLink } from './client.js';
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

/** What an exactly-once sink's snapshot() holds: its subtask's transaction (the same for all its sinks). */
export interface KafkaSinkState {
  transactionalId: string;
  /** The last transaction pre-committed (or committed) when the snapshot was taken; 0 before the first. */
  seq: number;
  /** The run of the transaction that wrote it. */
  writer: string;
  /** Where that transaction's marker is; null when it was committed before the snapshot (nothing to check). */
  marker: RecordPosition | null;
  /**
   * With a marker: the producer id and epoch of the transaction it is in, for the recovery's commit (absent in
   * snapshots of sluice before 2026-12: those are only checked).
   */
  names?: OpenTransaction;
}

function isState(s: unknown): s is KafkaSinkState {
  const o = s as KafkaSinkState;
  return typeof o === 'object' && o !== null && typeof o.transactionalId === 'string' && typeof o.seq === 'number' && typeof o.writer === 'string'
    && (o.marker === null || (typeof o.marker === 'object' && typeof o.marker.partition === 'number' && typeof o.marker.offset === 'number'))
    && (o.names === undefined || (typeof o.names === 'object' && o.names !== null && typeof o.names.producerId === 'string' && typeof o.names.epoch === 'number'));
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
  /** 'sink.transactional-id-prefix'. */
  prefix: string;
  /** What the sinks of one job subtask share (their run's abort signal). */
  scope: object;
  /** The subtask's index (0 without parallel subtasks). */
  subtask: number;
  /** The job's parallelism: with several subtasks, each commits its own transaction (see leave()). */
  parallelism: number;
  /** Sinks on the same cluster share a transaction: the bootstrap servers. */
  cluster: string;
}

/** The transactions of each scope (job subtask), by cluster. */
const transactions = new WeakMap<object, Map<string, Promise<SharedTransaction>>>();

/** One sink's part in its subtask's transaction. */
export class TwoPhaseCommit {
  private constructor(readonly producer: RecordProducer, private readonly shared: SharedTransaction, private readonly table: string) {}

  /**
   * Joins (or begins) the subtask's transaction and, when restoring, checks that the restored checkpoint's
   * output was committed; throws UncommittedCheckpointError when it was not.
   */
  static async open(o: TwoPhaseCommitOptions, restored: unknown | null): Promise<TwoPhaseCommit> {
    if (restored !== null && !isState(restored)) {
      throw new UserError(`kafka sink of table '${o.table}': the restored state is not an exactly-once kafka sink's (${JSON.stringify(restored)})`);
    }
    let byCluster = transactions.get(o.scope);
    if (!byCluster) transactions.set(o.scope, (byCluster = new Map()));
    let opening = byCluster.get(o.cluster);
    if (!opening) {
      const map = byCluster;
      opening = SharedTransaction.begin(o, restored as KafkaSinkState | null, () => map.delete(o.cluster));
      map.set(o.cluster, opening);
      opening.catch(() => map.delete(o.cluster));
    }
    const shared = await opening;
    const producer = RecordProducer.inTransaction(shared, o.producer);
    const member = new TwoPhaseCommit(producer, shared, o.table);
    shared.join(member);
    try {
      if (restored !== null) await shared.restore(o, restored as KafkaSinkState);
    } catch (e) {
      await member.close();
      throw e;
    }
    return member;
  }

  /**
   * Subtask 0 of a restore at a lower parallelism: each vanished subtask's transaction of the checkpoint is
   * committed if still open, its transactional id is fenced, which aborts a later transaction it left open
   * (output after the checkpoint, which the sources replay, and which would otherwise hold read_committed
   * readers back until transaction.timeout.ms), and the checkpoint's marker of that id is checked as a restore
   * checks its own: committed, its output stays; not committed, UncommittedCheckpointError.
   */
  async takeOver(vanished: { subtask: number; state: unknown }[]): Promise<void> {
    for (const { subtask, state } of vanished) {
      if (!isState(state)) {
        throw new UserError(`kafka sink of table '${this.table}': the state of vanished subtask ${subtask} is not an exactly-once kafka sink's (${JSON.stringify(state)})`);
      }
      await this.shared.settle(state);
    }
  }

  /** Phase one (the sink's flush()): this sink's output so far goes into the transaction; the last sink to flush marks it. */
  preCommit(): Promise<void> {
    return this.shared.preCommit(this);
  }

  snapshot(): KafkaSinkState {
    return this.shared.snapshot();
  }

  /** Phase two (the sink's checkpointComplete()): commits the transaction `state` names, if it is still open. */
  commit(state: unknown): Promise<void> {
    if (!isState(state)) throw new Error(`kafka sink of table '${this.table}': checkpointComplete() with a state this sink did not snapshot: ${JSON.stringify(state)}`);
    return this.shared.commit(state, this.table);
  }

  /** Leaves the transaction; the last sink to leave aborts what it holds uncommitted and disconnects. */
  async close(): Promise<void> {
    await this.producer.close();
    await this.shared.leave(this);
  }
}

/** The transaction of one job subtask on one Kafka cluster, and its markers. */
class SharedTransaction {
  /** Random per run; see the header. */
  private readonly writer = randomUUID().slice(0, 8);
  private readonly members = new Set<TwoPhaseCommit>();
  /** Members whose output of the current checkpoint is in the transaction. */
  private readonly flushed = new Set<TwoPhaseCommit>();
  private tx: Promise<TransactionLink> | null = null;
  /** The open transaction's producer id and epoch, once it has begun. */
  private names: OpenTransaction | null = null;
  /** Records went into the open transaction since its last marker (or since it began). */
  private unmarked = false;
  private seq = 0;
  /** Marker of the open transaction once pre-committed, until committed. */
  private precommitted: RecordPosition | null = null;
  private committing: Promise<void> | null = null;
  /** Restored states checked, by marker: every sink of the subtask restores the same one. */
  private readonly checked = new Map<string, Promise<void>>();

  private constructor(private readonly link: ProducerLink, readonly transactionalId: string, private readonly o: TwoPhaseCommitOptions, private readonly forget: () => void) {}

  /** `restored`: the snapshot a restore starts from, whose transaction of this id is committed before the fencing. */
  static async begin(o: TwoPhaseCommitOptions, restored: KafkaSinkState | null, forget: () => void): Promise<SharedTransaction> {
    const admin = await o.client.admin();
    try {
      if (!(await admin.topicExists(MARKER_TOPIC))) await admin.createTopic(MARKER_TOPIC, 1, MARKER_TOPIC_CONFIG);
    } finally {
      await admin.close();
    }
    const transactionalId = `${o.prefix}-${o.subtask}`;
    if (restored?.transactionalId === transactionalId) await commitLeftOpen(o, restored);
    const link = await o.client.producer(o.producer.settings, { transactionalId, partitioner: o.producer.partitioner });
    try {
      // Fencing comes first: an empty transaction registers the id, which aborts the transaction a crashed
      // writer left open (whose marker would otherwise hold read_committed reads back until it timed out).
      await (await link.begin()).abort();
    } catch (e) {
      await link.close();
      throw e;
    }
    return new SharedTransaction(link, transactionalId, o, forget);
  }

  join(member: TwoPhaseCommit): void {
    this.members.add(member);
  }

  /** A sink restored from `state`: its id fenced if it is another one, its marker checked (once per state). */
  async restore(o: TwoPhaseCommitOptions, state: KafkaSinkState): Promise<void> {
    this.seq = Math.max(this.seq, state.seq);
    await this.settle(state);
  }

  /** Fences the id `state` names unless it is this one, and checks its marker (once per state). */
  async settle(state: KafkaSinkState): Promise<void> {
    const { o } = this;
    const key = `${markerValue(state)}@${state.marker?.partition}:${state.marker?.offset}`;
    let check = this.checked.get(key);
    if (!check) {
      check = (async () => {
        if (state.transactionalId !== this.transactionalId) {
          // Taken with another prefix, subtask or before transactions were shared (one id per table), or a
          // vanished subtask's: its transaction of the checkpoint is committed, and that id's crashed writer
          // fenced, as for this subtask's own id in begin().
          await commitLeftOpen(o, state);
          const old = await o.client.producer(o.producer.settings, { transactionalId: state.transactionalId, partitioner: 'default' });
          try {
            await (await old.begin()).abort();
          } finally {
            await old.close();
          }
        }
        if (state.marker) {
          const admin = await o.client.admin();
          try {
            await checkCommitted(o, admin, state, state.marker);
          } finally {
            await admin.close();
          }
        }
      })();
      this.checked.set(key, check);
    }
    await check;
  }

  /** The producers' way into the transaction; the first records after a commit begin the next one. */
  async send(topic: string, records: OutRecord[], partitioner: SinkPartitioner): Promise<RecordPosition[]> {
    const tx = await (this.tx ??= this.link.begin());
    this.names = tx.names;
    const at = await tx.send(topic, records, partitioner);
    this.unmarked = true;
    return at;
  }

  async preCommit(member: TwoPhaseCommit): Promise<void> {
    await member.producer.hold();
    this.flushed.add(member);
    if (this.flushed.size < this.members.size) return;
    this.flushed.clear();
    if (!this.unmarked) {
      // Nothing written since the last marker: the snapshot stays as it was (committed, or pre-committed).
      if (this.tx === null) for (const m of this.members) m.producer.release();
      return;
    }
    const next: Marker = { transactionalId: this.transactionalId, seq: this.seq + 1, writer: this.writer };
    const [at] = await (await this.tx!).send(MARKER_TOPIC, [{ key: this.transactionalId, value: markerValue(next) }], 'default');
    this.unmarked = false;
    this.seq = next.seq;
    this.precommitted = at;
  }

  snapshot(): KafkaSinkState {
    const { transactionalId, seq, writer, precommitted: marker, names } = this;
    return { transactionalId, seq, writer, marker, ...(marker && names ? { names } : {}) };
  }

  async commit(state: KafkaSinkState, table: string): Promise<void> {
    if (state.transactionalId !== this.transactionalId) {
      throw new Error(`kafka sink of table '${table}': checkpointComplete() with a state this sink did not snapshot: ${JSON.stringify(state)}`);
    }
    // A restored checkpoint's (open() found it committed), or one committed before its snapshot.
    if (state.writer !== this.writer || state.marker === null) return;
    if (state.seq > this.seq) throw new Error(`kafka sink of table '${table}': checkpointComplete() for transaction ${state.seq}, but the last pre-committed is ${this.seq}`);
    // Every sink of the subtask reports the same completion: the first commits, the others wait for it.
    if (this.committing) return this.committing;
    // Committed already; or a later flush() added to the same transaction (this checkpoint's completion came
    // late, or never): committing now would publish output of a checkpoint that may not be stored yet.
    if (this.precommitted === null || state.seq < this.seq) {
      if (this.precommitted !== null) this.o.log.debug({ table, seq: state.seq, pending: this.seq }, 'checkpoint completion superseded by a later pre-commit');
      return;
    }
    if (this.unmarked) throw new Error(`kafka sink of table '${table}': records went into transaction ${this.seq} after its pre-commit`);
    this.committing = (async () => {
      const tx = await this.tx!;
      this.tx = null;
      await tx.commit();
      this.precommitted = null;
      this.names = null;
      for (const m of this.members) m.producer.release();
    })().finally(() => { this.committing = null; });
    return this.committing;
  }

  async leave(member: TwoPhaseCommit): Promise<void> {
    this.members.delete(member);
    this.flushed.delete(member);
    if (this.members.size > 0) return;
    this.forget();
    try {
      // With several subtasks a pre-committed transaction stays open: its checkpoint may be complete and other
      // subtasks may have committed theirs (this one's commit request is late, or its sender was killed), so
      // the next attempt commits it on restore (or fences it when it restores an earlier checkpoint). Nothing
      // is written into it after the pre-commit (producer.ts holds records back). A job cancelled for good in
      // that window leaves it to transaction.timeout.ms, as Flink's KafkaSink does (docs/operations.md). A
      // single subtask commits all or nothing, so aborting is exact there: the restore falls back one checkpoint.
      if (this.tx && this.precommitted !== null && this.o.parallelism > 1) {
        this.o.log.info({ transactionalId: this.transactionalId, seq: this.seq }, 'leaving the pre-committed Kafka transaction open for the next attempt to commit or fence');
      } else if (this.tx) await (await this.tx).abort();
    } catch (e) {
      this.o.log.warn({ transactionalId: this.transactionalId, err: (e as Error).message }, 'the open Kafka transaction could not be aborted (the next writer with its id fences it)');
    } finally {
      this.tx = null;
      await this.link.close();
    }
  }
}

/**
 * Commits the transaction `state` names when it is still open (its run was killed, or ended, after the
 * checkpoint's pre-commit and before its commit): Flink's recoverAndCommit. Only a restore of a completed
 * checkpoint or savepoint gets here, so its output belongs in the output. Not open any more is fine: the marker
 * check that follows tells committed from aborted.
 */
async function commitLeftOpen(o: TwoPhaseCommitOptions, state: KafkaSinkState): Promise<void> {
  if (state.marker === null || !state.names) return;
  const committed = await o.client.commitLeftOpen(state.transactionalId, state.names);
  if (committed) o.log.info({ transactionalId: state.transactionalId, seq: state.seq, ...state.names }, 'committed the restored checkpoint\'s Kafka transaction (or found it committed)');
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
  // That partition alone, with no consumer group (nothing is committed).
  const consumer = o.client.consumer({ ...o.consumer, readUncommitted: false }, null, (_topic, partition) => partition === at.partition);
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
