// Key groups against Apache Flink's own KeyGroupRangeAssignment: the expected numbers below were printed by
// Flink 2.3.0 (flink-dist's KeyGroupRangeAssignment.assignToKeyGroup / assignKeyToParallelOperator /
// computeKeyGroupRangeForOperatorIndex, run with java on these boxed values), not by sluice.
import { describe, expect, it } from 'vitest';
import { DataTypes, type DataType } from '../../runtime/core/data-types.js';
import { keyGroupOf, keyGroupRange, keyHash, maxParallelismOf, parallelismOf, subtaskOf, valueHash } from '../../runtime/exec/key-groups.js';

// value, SQL type, Java hashCode, key group of 128, subtask at p = 1..3 (max 128), key group of 10, subtask at p = 1..3 (max 10)
const FLINK: [unknown, DataType, number, number, number[], number, number[]][] = [
  ['page-1', DataTypes.STRING(), -995753869, 62, [0, 0, 1], 4, [0, 0, 1]],
  ['/help', DataTypes.STRING(), 46604272, 111, [0, 1, 2], 1, [0, 0, 0]],
  ['', DataTypes.STRING(), 0, 94, [0, 1, 2], 4, [0, 0, 1]],
  ['Zürich', DataTypes.STRING(), -1482116162, 89, [0, 1, 2], 7, [0, 1, 2]],
  [0, DataTypes.BIGINT(), 0, 94, [0, 1, 2], 4, [0, 0, 1]],
  [1, DataTypes.BIGINT(), 1, 86, [0, 1, 2], 8, [0, 1, 2]],
  [-1, DataTypes.BIGINT(), 0, 94, [0, 1, 2], 4, [0, 0, 1]],
  [123456789012, DataTypes.BIGINT(), -1097262584, 123, [0, 1, 2], 9, [0, 1, 2]],
  [42, DataTypes.INT(), 42, 29, [0, 0, 0], 5, [0, 1, 1]],
  [-7, DataTypes.INT(), -7, 33, [0, 0, 0], 9, [0, 1, 2]],
  [3.5, DataTypes.DOUBLE(), 1074528256, 47, [0, 0, 1], 3, [0, 0, 0]],
  [true, DataTypes.BOOLEAN(), 1231, 77, [0, 1, 1], 5, [0, 1, 1]],
  [false, DataTypes.BOOLEAN(), 1237, 3, [0, 0, 0], 1, [0, 0, 0]],
];

describe('key groups (Flink KeyGroupRangeAssignment)', () => {
  it.each(FLINK)('%s: hash code, key group and subtask as Flink computes them', (value, type, hash, kg128, sub128, kg10, sub10) => {
    expect(valueHash(value, type)).toBe(hash);
    expect(keyGroupOf(hash, 128)).toBe(kg128);
    expect([1, 2, 3].map((p) => subtaskOf(kg128, 128, p))).toEqual(sub128);
    expect(keyGroupOf(hash, 10)).toBe(kg10);
    expect([1, 2, 3].map((p) => subtaskOf(kg10, 10, p))).toEqual(sub10);
  });

  it('key group ranges per subtask as Flink computes them, covering every key group once', () => {
    expect(keyGroupRange(128, 1, 0)).toEqual({ start: 0, end: 127 });
    expect([0, 1].map((i) => keyGroupRange(128, 2, i))).toEqual([{ start: 0, end: 63 }, { start: 64, end: 127 }]);
    expect([0, 1, 2].map((i) => keyGroupRange(128, 3, i))).toEqual([{ start: 0, end: 42 }, { start: 43, end: 85 }, { start: 86, end: 127 }]);
    // Each key group's owner (subtaskOf) is the subtask whose range holds it, at every parallelism.
    for (const max of [128, 10, 7]) {
      for (let p = 1; p <= max; p++) {
        for (let kg = 0; kg < max; kg++) {
          const r = keyGroupRange(max, p, subtaskOf(kg, max, p));
          expect(kg >= r.start && kg <= r.end).toBe(true);
        }
      }
    }
  });

  it('a key of several columns combines the hash codes as Java Arrays.hashCode; NULL hashes to 0', () => {
    const types = [DataTypes.STRING(), DataTypes.BIGINT()];
    expect(keyHash(['page-1', 1], types)).toBe(((31 * (31 + -995753869)) | 0) + 1 | 0);
    expect(keyHash([null], [DataTypes.STRING()])).toBe(0);
  });

  it('parallelism: -p, else parallelism.default, else 1; bad values and values above the maximum are errors', () => {
    expect(parallelismOf({})).toBe(1);
    expect(parallelismOf({ 'parallelism.default': '3' })).toBe(3);
    expect(parallelismOf({ 'parallelism.default': '3' }, 2)).toBe(2);
    expect(() => parallelismOf({}, 0)).toThrow(/positive integer/);
    expect(() => parallelismOf({ 'parallelism.default': 'x' })).toThrow(/parallelism.default/);
    expect(() => parallelismOf({ 'pipeline.max-parallelism': '4' }, 5)).toThrow(/above pipeline.max-parallelism 4/);
    expect(maxParallelismOf({})).toBe(128);
    expect(() => maxParallelismOf({ 'pipeline.max-parallelism': '40000' })).toThrow(/bound 32768/);
  });
});

describe('a parallelism the run cannot honour', () => {
  it('-p 2 or parallelism.default 2 where no subtask threads can start (no bundle to load) is an error naming it, not ignored; -p 1 runs', async () => {
    const { compileJob } = await import('../../compiler/index.js');
    const { instantiate } = await import('../../compiler/codegen/instantiate.js');
    const { runCompiled } = await import('../../runtime/cli/run-compiled.js');
    const { tempDir, writeCsv } = await import('../helpers/tables.js');
    const path = await import('node:path');
    const fs = await import('node:fs');
    const work = tempDir();
    const inFile = writeCsv([[1, 2, 30]], path.join(work, 'in.csv'));
    const out = path.join(work, 'out');
    const compiled = await compileJob('test/cli/fixtures/file-job.ts', { args: ['--input', inFile, '--output', out] });
    const job = { plan: compiled.plan, factory: (rt: unknown, udfs: Record<string, (...a: any[]) => unknown>) => instantiate(compiled.code.factory, udfs) };
    await expect(runCompiled(job, { parallelism: 2 })).rejects.toThrow(/parallelism 2: this run has no bundle for its subtask threads to start from/);
    await expect(runCompiled(job, { defines: ['parallelism.default=2'] })).rejects.toThrow(/parallelism 2/);
    await expect(runCompiled(job, { parallelism: 0 })).rejects.toThrow(/positive integer/);
    expect(fs.existsSync(out)).toBe(false);
    await runCompiled(job, { parallelism: 1 });
    expect(fs.readdirSync(out).length).toBeGreaterThan(0);
  });
});
