// A record that fails the job again and again at the same offset (a bad record, with a restart strategy that
// restarts from the checkpoint before it) is named as such (issue 13.5): the exceptions history and the CLI say
// "poison record" and how to get past it, instead of showing the same failure forever without comment.
import type { ExceptionEntry } from './job-record.js';
import type { ErrorInfo } from './protocol.js';

export const POISON_RECORD = 'PoisonRecordError';

/** The failure as recorded: a BadRecordError seen already in the last failure is a poison record. */
export function namePoisonRecord(history: readonly ExceptionEntry[], error: ErrorInfo): ErrorInfo {
  if (error.name !== 'BadRecordError') return error;
  // The same record (its message names topic, partition and offset) in the failures just before this one.
  const failures = history.filter((e) => e.exceptionName === 'BadRecordError' || e.exceptionName === POISON_RECORD);
  let times = 1;
  while (times <= failures.length && failures[times - 1].message.includes(error.message)) times++;
  if (times === 1) return error;
  return {
    ...error,
    name: POISON_RECORD,
    message: `poison record: the job failed ${times} times in a row on the same record: ${error.message}. ` +
      `Keep it aside with 'scan.dead-letter-queue.topic' (kafka tables) or skip bad records with '<format>.ignore-parse-errors', then restart the job`,
  };
}
