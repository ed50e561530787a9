// Times taking a keyed operator's snapshot as a checkpoint does (state.snapshot() then JSON.stringify), for a
// group aggregate of 200 k keys (account STRING, hour TIMESTAMP) and a tumbling window aggregate with 2 open
// windows of 100 k BIGINT keys each: median of --runs (default 9) in CPU ms (a loaded machine moves wall
// time far more), after warm-up. State is kept per key
// group since issue 18.4; this is how the cost of that was checked at parallelism 1 (bench/README.md).
//   npx tsx bench/snapshot-cost.ts [--runs 9]
import type { Field } from '../runtime/core/data-types.js';
import type { AggCall } from '../runtime/core/plan.js';
import { keyGroupOf, keyHash } from '../runtime/exec/key-groups.js';
import { aggKernel } from '../runtime/state/agg-kernel.js';
import { GroupState } from '../runtime/state/group-state.js';
import { WindowState } from '../runtime/state/window-state.js';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] || 9);
const ts = (p: number) => ({ name: 'TIMESTAMP', precision: p }) as never;
const groupKeys: Field[] = [{ name: 'account', type: { name: 'STRING' } as never }, { name: 'hour', type: ts(3) }];
const aggs: AggCall[] = [{ name: 's', fn: 'sum', arg: 'amount', distinct: false }, { name: 'c', fn: 'count', arg: null, distinct: false }] as AggCall[];
const input: Field[] = [...groupKeys, { name: 'amount', type: { name: 'BIGINT' } as never }];
const kgOf = (types: Field[]) => (keys: readonly unknown[]) => keyGroupOf(keyHash(keys, types.map((f) => f.type)), 128);

const group = new GroupState(aggKernel(aggs, input), ['account', 'hour'], groupKeys.map((f) => f.type), ['s', 'c'], kgOf(groupKeys), 128);
for (let i = 0; i < 200_000; i++) {
  const e = group.entry([`acct-${i % 20_000}`, 1_700_000_000_000 + Math.floor(i / 20_000) * 3_600_000]);
  e.acc[0] = i; e.acc[1] = 1;
}
const windowKeys: Field[] = [{ name: 'id', type: { name: 'BIGINT' } as never }];
const window = new WindowState({ type: 'tumble', timeColumn: 't', time: 'event', sizeMs: 60_000, slideMs: 60_000, gapMs: 0 } as never, aggKernel(aggs, input), ['id'], ['s', 'c'], [], kgOf(windowKeys), 128);
for (const t of [0, 60_000]) {
  window.assign(t);
  for (let k = 0; k < 100_000; k++) { const acc = window.create(0, k, [k]); acc[0] = k; acc[1] = 1; }
}

function time(take: () => unknown): number {
  const xs: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const t0 = process.cpuUsage();
    JSON.stringify(take());
    const d = process.cpuUsage(t0);
    if (i >= 2) xs.push((d.user + d.system) / 1000);
  }
  return xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}
console.log(`snapshot + JSON.stringify, CPU ms, median of ${runs}: group 200k keys ${time(() => group.snapshot()).toFixed(1)} ms, window 2x100k ${time(() => window.snapshot()).toFixed(1)} ms`);
