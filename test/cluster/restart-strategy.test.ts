// Restart strategies with Flink's option names and defaults: how many failures each allows and how long
// it waits before each restart.
import { describe, expect, it } from 'vitest';
import { restartStrategy } from '../../runtime/cluster/restart-strategy.js';

describe('restart strategies', () => {
  it('defaults as Flink: exponential-delay with checkpointing, none without', () => {
    expect(restartStrategy({}, false).onFailure(0)).toBeNull();
    const s = restartStrategy({}, true, () => 0.5);
    expect(s.description).toMatch(/^exponential-delay/);
    expect(s.onFailure(0)).toBe(1000);
  });

  it('fixed-delay: attempts, then no more', () => {
    const s = restartStrategy({ 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': '2', 'restart-strategy.fixed-delay.delay': '3 s' }, false);
    expect([s.onFailure(0), s.onFailure(1), s.onFailure(2)]).toEqual([3000, 3000, null]);
  });

  it('failure-rate: at most n failures within the interval', () => {
    const s = restartStrategy({
      'restart-strategy.type': 'failure-rate', 'restart-strategy.failure-rate.max-failures-per-interval': '2',
      'restart-strategy.failure-rate.failure-rate-interval': '10 s', 'restart-strategy.failure-rate.delay': '100 ms',
    }, false);
    expect(s.onFailure(0)).toBe(100);
    expect(s.onFailure(1000)).toBe(100);
    expect(s.onFailure(2000)).toBeNull();
    const t = restartStrategy({ 'restart-strategy.type': 'failurerate', 'restart-strategy.failure-rate.max-failures-per-interval': '2', 'restart-strategy.failure-rate.failure-rate-interval': '10 s' }, false);
    expect([t.onFailure(0), t.onFailure(1000), t.onFailure(20_000)]).toEqual([1000, 1000, 1000]);
  });

  it('exponential-delay: grows by the multiplier up to the maximum, resets after a quiet threshold, with jitter', () => {
    const config = {
      'restart-strategy.type': 'exponential-delay', 'restart-strategy.exponential-delay.initial-backoff': '1 s',
      'restart-strategy.exponential-delay.max-backoff': '5 s', 'restart-strategy.exponential-delay.backoff-multiplier': '2',
      'restart-strategy.exponential-delay.reset-backoff-threshold': '1 min', 'restart-strategy.exponential-delay.jitter-factor': '0',
    };
    const s = restartStrategy(config, false);
    expect([0, 1, 2, 3, 4].map((t) => s.onFailure(t * 1000))).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(s.onFailure(4000 + 60_000)).toBe(1000);
    const jittered = restartStrategy({ ...config, 'restart-strategy.exponential-delay.jitter-factor': '0.1' }, false, () => 1);
    expect(jittered.onFailure(0)).toBe(1100);
  });

  it('names what is wrong with a bad option', () => {
    expect(() => restartStrategy({ 'restart-strategy.type': 'sometimes' }, false)).toThrow(/unknown strategy 'sometimes'/);
    expect(() => restartStrategy({ 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.delay': 'soon' }, false)).toThrow(/restart-strategy.fixed-delay.delay: 'soon' is not a duration/);
  });
});
