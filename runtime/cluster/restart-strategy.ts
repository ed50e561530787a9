// Restart strategies with Flink's option names and defaults (Flink 1.19+). Each failure of a job (a task that
// failed, a taskmanager that was lost, no free slot when restarting) asks the strategy for a delay; null
// means the job fails for good. Without `restart-strategy.type`, a job with checkpointing restarts with
// exponential-delay and one without does not restart, as in Flink.
import { UserError } from '../core/errors.js';
import { durationOption, intOption, numberOption } from '../core/options.js';
import type { Config } from './config.js';

export interface RestartStrategy {
  /** Called at each failure (epoch ms): milliseconds to wait before restarting, or null to fail the job. */
  onFailure(now: number): number | null;
  /** For logs: "fixed-delay (attempts=3, delay=1000ms)". */
  readonly description: string;
}

const TYPES: Record<string, 'none' | 'fixed-delay' | 'failure-rate' | 'exponential-delay'> = {
  none: 'none', off: 'none', disable: 'none',
  'fixed-delay': 'fixed-delay', fixeddelay: 'fixed-delay',
  'failure-rate': 'failure-rate', failurerate: 'failure-rate',
  'exponential-delay': 'exponential-delay', exponentialdelay: 'exponential-delay',
};

export function restartStrategy(config: Config, checkpointing: boolean, random = Math.random): RestartStrategy {
  const raw = config['restart-strategy.type'] ?? config['restart-strategy'];
  const type = raw === undefined ? (checkpointing ? 'exponential-delay' : 'none') : TYPES[raw.toLowerCase()];
  if (!type) throw new UserError(`restart-strategy.type: unknown strategy '${raw}'`, 'allowed values: none, fixed-delay, failure-rate, exponential-delay');
  switch (type) {
    case 'none':
      return { description: 'none', onFailure: () => null };
    case 'fixed-delay': {
      const attempts = intOption(config, 'restart-strategy.fixed-delay.attempts', 1);
      const delay = durationOption(config, 'restart-strategy.fixed-delay.delay', 1000);
      let failures = 0;
      return {
        description: `fixed-delay (attempts=${attempts}, delay=${delay}ms)`,
        onFailure: () => (++failures <= attempts ? delay : null),
      };
    }
    case 'failure-rate': {
      const max = intOption(config, 'restart-strategy.failure-rate.max-failures-per-interval', 1, 1);
      const interval = durationOption(config, 'restart-strategy.failure-rate.failure-rate-interval', 60_000);
      const delay = durationOption(config, 'restart-strategy.failure-rate.delay', 1000);
      const times: number[] = [];
      return {
        description: `failure-rate (max-failures-per-interval=${max}, failure-rate-interval=${interval}ms, delay=${delay}ms)`,
        onFailure: (now) => {
          times.push(now);
          while (times.length && times[0] <= now - interval) times.shift();
          return times.length <= max ? delay : null;
        },
      };
    }
    case 'exponential-delay': {
      const initial = durationOption(config, 'restart-strategy.exponential-delay.initial-backoff', 1000);
      const max = durationOption(config, 'restart-strategy.exponential-delay.max-backoff', 60_000);
      const multiplier = numberOption(config, 'restart-strategy.exponential-delay.backoff-multiplier', 1.5, 1);
      const reset = durationOption(config, 'restart-strategy.exponential-delay.reset-backoff-threshold', 3_600_000);
      const jitter = numberOption(config, 'restart-strategy.exponential-delay.jitter-factor', 0.1);
      if (jitter > 1) throw new UserError(`restart-strategy.exponential-delay.jitter-factor: must be between 0 and 1, got ${jitter}`);
      const attemptsBeforeReset = intOption(config, 'restart-strategy.exponential-delay.attempts-before-reset-backoff', Number.MAX_SAFE_INTEGER, 1);
      let backoff = 0;
      let last = -Infinity;
      let attempts = 0;
      return {
        description: `exponential-delay (initial-backoff=${initial}ms, max-backoff=${max}ms, backoff-multiplier=${multiplier}, reset-backoff-threshold=${reset}ms, jitter-factor=${jitter})`,
        onFailure: (now) => {
          // A job that ran long enough since its last failure starts over at the initial backoff.
          if (now - last >= reset) { backoff = 0; attempts = 0; }
          last = now;
          if (++attempts > attemptsBeforeReset) return null;
          backoff = backoff === 0 ? initial : Math.min(max, backoff * multiplier);
          const spread = backoff * jitter;
          return Math.max(0, Math.round(Math.min(max, backoff + (random() * 2 - 1) * spread)));
        },
      };
    }
  }
}
