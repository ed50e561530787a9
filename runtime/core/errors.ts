// Errors that say who is at fault: the user (job, options, a bad record), an external system, or sluice.

/** A mistake in the job or its configuration, found before or while starting. */
export class UserError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** A record that could not be decoded or does not fit its column; names where it came from. */
export class BadRecordError extends Error {
  constructor(readonly reason: string, readonly origin: string) {
    super(`bad record at ${origin}: ${reason}`);
    this.name = 'BadRecordError';
  }
}

/** An external system (Kafka, MySQL, Elasticsearch) failed; retried with backoff before the job fails. */
export class ExternalError extends Error {
  constructor(readonly system: string, message: string, readonly cause?: unknown) {
    super(`${system}: ${message}`);
    this.name = 'ExternalError';
  }
}

/**
 * Thrown by SinkWriter.open(restored) when the output the sink pre-committed for the restored checkpoint
 * never became visible: the job failed after the checkpoint was stored but before the sink's
 * checkpointComplete() committed it, and the crash aborted it. Continuing from that checkpoint would lose
 * the output, so the runtime restores the checkpoint before it instead; replaying from there writes the
 * output again.
 */
export class UncommittedCheckpointError extends Error {
  constructor(readonly table: string, detail: string) {
    super(`sink of table '${table}': the output of the restored checkpoint was never committed (${detail}); restore the checkpoint before it`);
    this.name = 'UncommittedCheckpointError';
  }
}
