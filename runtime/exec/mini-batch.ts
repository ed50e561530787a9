// Flink's mini-batch aggregation for non-windowed (updating) aggregates: with
// `table.exec.mini-batch.enabled`, an aggregate accumulates in place and emits the changes of its keys once
// the first change has waited `table.exec.mini-batch.allow-latency` or `table.exec.mini-batch.size` input rows
// have come in, instead of after every source batch. A key updated many times in that span sends one
// -U/+U pair. The runner flushes every mini-batch before a snapshot and at the end of the input, so a
// checkpoint never holds changes that were not emitted.
import { UserError } from '../core/errors.js';
import { booleanOption, durationOption, intOption } from '../core/options.js';

export interface MiniBatchSettings {
  latencyMs: number;
  /** Input rows after which the changes go out at the latest (Infinity: latency only). */
  size: number;
}

const ENABLED = 'table.exec.mini-batch.enabled';
const LATENCY = 'table.exec.mini-batch.allow-latency';
const SIZE = 'table.exec.mini-batch.size';

/** The job's mini-batch settings, or null when mini-batch is off (changes go out after every batch). */
export function miniBatchSettings(config: Record<string, string>): MiniBatchSettings | null {
  if (!booleanOption(config, ENABLED, false)) return null;
  const latencyMs = durationOption(config, LATENCY, 0);
  if (latencyMs <= 0) throw new UserError(`${ENABLED} is true but ${LATENCY} is not set`, `set ${LATENCY}, e.g. -D ${LATENCY}='1 s'`);
  const size = intOption(config, SIZE, -1, -1);
  if (size === 0) throw new UserError(`${SIZE}: must be positive (or -1 for no size limit)`);
  return { latencyMs, size: size < 0 ? Infinity : size };
}

/** When a mini-batch is due: counts input rows and remembers when the first change of the batch came. */
export class MiniBatchTrigger {
  private rows = 0;
  private openedAt = -1;

  constructor(private readonly settings: MiniBatchSettings) {}

  /** `rows` more input rows came in at `now`; true when the changes should go out. */
  add(rows: number, now: number): boolean {
    if (this.openedAt < 0) this.openedAt = now;
    this.rows += rows;
    return this.due(now);
  }

  due(now: number): boolean {
    return this.openedAt >= 0 && (this.rows >= this.settings.size || now - this.openedAt >= this.settings.latencyMs);
  }

  /** The changes went out: the next mini-batch opens with the next input. */
  reset(): void {
    this.rows = 0;
    this.openedAt = -1;
  }
}
