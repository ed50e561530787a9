// filesystem source and sink in a temp directory: round trips in both formats, file order and hidden files,
// positions and restores on both sides, bad records, rolling, option checks.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesystem } from '../../runtime/connectors/filesystem/connector.js';
import { DataTypes, type Field } from '../../runtime/core/data-types.js';
import { BadRecordError, UserError } from '../../runtime/core/errors.js';
import { RowKind, type Row } from '../../runtime/core/row.js';
import { drain, sinkContext, sourceContext, writeAll } from './context.js';

const schema: Field[] = [
  { name: 'account_id', type: DataTypes.BIGINT() },
  { name: 'note', type: DataTypes.STRING() },
  { name: 'amount', type: DataTypes.DOUBLE() },
  { name: 'ts', type: DataTypes.TIMESTAMP(3) },
];

const makeRows = (n: number, from = 0): Row[] =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return { account_id: i % 17, note: i % 10 === 0 ? `ünï "${i}", ok` : `n${i}`, amount: i * 0.5, ts: Date.UTC(2020, 0, 1) + i * 1000 };
  });

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'sluice-fs-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const module = () => filesystem.load();

async function writeTable(path: string, format: string, rows: Row[], extra: Record<string, string> = {}) {
  const ctx = sinkContext(schema, { connector: 'filesystem', path, format, ...extra });
  const writer = (await module()).createSink!(ctx);
  await writer.open(null);
  await writeAll(writer, rows);
  await writer.flush();
  await writer.close();
  return ctx;
}

async function openSource(path: string, format: string, extra: Record<string, string> = {}, fields = schema, restored: unknown = null) {
  const ctx = sourceContext(schema, { connector: 'filesystem', path, format, ...extra }, fields);
  const reader = (await module()).createSource!(ctx);
  await reader.open(restored);
  return { reader, ctx };
}

describe('filesystem sink and source', () => {
  for (const format of ['csv', 'json']) {
    it(`round-trips rows in ${format}`, async () => {
      const path = join(dir, `round-${format}`);
      const rows = makeRows(3000);
      const sinkCtx = await writeTable(path, format, rows);
      expect(await readdir(path)).toEqual([`part-0-0.${format}`]);
      const { reader, ctx } = await openSource(path, format);
      expect(reader.bounded).toBe(true);
      expect((await drain(reader)).rows).toEqual(rows);
      expect(await reader.poll()).toBeNull();
      await reader.close();
    });
  }

  it('reads only the requested columns', async () => {
    const path = join(dir, 'projection');
    await writeTable(path, 'csv', makeRows(10));
    const { reader } = await openSource(path, 'csv', {}, [schema[3], schema[0]]);
    expect((await drain(reader)).rows).toEqual(makeRows(10).map((r) => ({ ts: r.ts, account_id: r.account_id })));
  });

  it('writes the next part on a fresh start and rolls parts by size', async () => {
    const path = join(dir, 'parts');
    await writeTable(path, 'csv', makeRows(5));
    await writeTable(path, 'csv', makeRows(5, 5));
    expect((await readdir(path)).sort()).toEqual(['part-0-0.csv', 'part-0-1.csv']);
    const rolled = join(dir, 'rolled');
    await writeTable(rolled, 'csv', makeRows(300_000 / 25), { 'sink.rolling-policy.file-size': '64kb' });
    const parts = await readdir(rolled);
    expect(parts.length).toBeGreaterThan(2);
    const { reader } = await openSource(rolled, 'csv');
    expect((await drain(reader)).rows).toEqual(makeRows(300_000 / 25));
  });

  it('takes inserts only', async () => {
    const writer = (await module()).createSink!(sinkContext(schema, { path: join(dir, 'inserts'), format: 'csv' }));
    await writer.open(null);
    expect(() => writer.write({ rows: makeRows(1), kinds: [RowKind.DELETE] })).toThrow(/inserts only, got -D/);
    await writer.close();
  });
});

describe('filesystem source', () => {
  it('reads a directory in natural order, one split per file, skipping hidden files', async () => {
    const path = join(dir, 'tree');
    await mkdir(join(path, 'sub'), { recursive: true });
    await mkdir(join(path, '.hidden-dir'), { recursive: true });
    await writeFile(join(path, 'f10.csv'), '10,c,1.0,2020-01-01 00:00:00\n');
    await writeFile(join(path, 'f2.csv'), '2,b,1.0,2020-01-01 00:00:00\r\n3,b2,1.0,2020-01-01 00:00:00'); // CRLF, no final newline
    await writeFile(join(path, 'sub', 'a.csv'), '20,d,1.0,2020-01-01 00:00:00\n\n');
    await writeFile(join(path, '.crc'), 'garbage\n');
    await writeFile(join(path, '_SUCCESS'), 'garbage\n');
    await writeFile(join(path, '.hidden-dir', 'x.csv'), 'garbage\n');
    const { reader } = await openSource(path, 'csv');
    const files = [join(path, 'f2.csv'), join(path, 'f10.csv'), join(path, 'sub', 'a.csv')];
    expect(reader.splits()).toEqual(files);
    const { rows, splits } = await drain(reader);
    expect(rows.map((r) => [r.account_id, r.note])).toEqual([[2, 'b'], [3, 'b2'], [10, 'c'], [20, 'd']]);
    expect(splits).toEqual(files);
    expect(reader.splits()).toEqual([]);
    expect(reader.snapshot()).toEqual({ file: null, line: 0, offset: 0 });
  });

  it('restores from a position and continues exactly where it stopped', async () => {
    const path = join(dir, 'restore');
    await mkdir(path);
    const all = makeRows(20_000); // several polls per file
    const json = (rows: Row[]) => rows.map((r) => JSON.stringify({ ...r, ts: new Date(r.ts as number).toISOString() })).join('\n');
    await writeFile(join(path, 'a.json'), json(all.slice(0, 10_000)) + '\n');
    await writeFile(join(path, 'b.json'), json(all.slice(10_000)));
    for (const stopAfter of [1, 2, 3, 4]) {
      const first = await openSource(path, 'json');
      const head: Row[] = [];
      for (let i = 0; i < stopAfter; i++) head.push(...(await first.reader.poll())!.rows);
      const position = JSON.parse(JSON.stringify(first.reader.snapshot()));
      expect(position.line).toBe(head.length - (position.file.endsWith('b.json') ? 10_000 : 0));
      await first.reader.close();
      const second = await openSource(path, 'json', {}, schema, position);
      const tail = (await drain(second.reader)).rows;
      expect([...head, ...tail]).toEqual(all);
    }
  });

  it('decodes into rows the job recycled, the same rows as without recycling', async () => {
    const path = join(dir, 'recycle.csv');
    const all = makeRows(10_000).map((r) => ({ ...r, note: `n${r.account_id}` })); // no quotes: the fast path takes every line
    await writeTable(path, 'csv', all);
    const { reader } = await openSource(path, 'csv');
    const seen: Row[] = [];
    let reused = 0;
    let previous: Row[] = [];
    for (let batch = await reader.poll(); batch !== null; batch = await reader.poll()) {
      reused += batch.rows.filter((r, i) => r === previous[i]).length;
      seen.push(...batch.rows.map((r) => ({ ...r }))); // copied: recycle() hands the objects back
      reader.recycle!(batch.rows);
      previous = batch.rows;
    }
    expect(seen).toEqual(all);
    expect(reused).toBeGreaterThan(all.length / 2);
  });

  it('counts bad records with ignore-parse-errors and fails naming file and line without', async () => {
    const path = join(dir, 'bad.csv');
    await writeFile(path, '1,a,1.0,2020-01-01 00:00:00\n2,b,oops,2020-01-01 00:00:00\n3,c\n4,d,4.0,2020-01-01 00:00:00\n');
    const lenient = await openSource(path, 'csv', { 'csv.ignore-parse-errors': 'true' });
    expect((await drain(lenient.reader)).rows.map((r) => r.account_id)).toEqual([1, 4]);
    expect(lenient.ctx.metrics.badRecordsSkipped).toBe(2);
    const strict = await openSource(path, 'csv');
    const error = await strict.reader.poll().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRecordError);
    expect((error as BadRecordError).origin).toBe(`file ${path} line 2`);
    expect((error as BadRecordError).reason).toContain("column 'amount'");
  });

  // With csv.ignore-parse-errors too: the lines it would drop are kept all the same.
  it.each<Record<string, string>>([{}, { 'csv.ignore-parse-errors': 'true' }])('keeps bad lines in the dead-letter file with file, line, offset and reason, and reads the rest (%o)', async (extra) => {
    const path = join(dir, `dead-${Object.keys(extra).length}.csv`);
    const lines = ['1,a,1.0,2020-01-01 00:00:00', '2,b,oops,2020-01-01 00:00:00', '3,c', '4,d,4.0,2020-01-01 00:00:00'];
    await writeFile(path, lines.join('\r\n') + '\r\n');
    const deadFile = join(dir, `dead-letters-${Object.keys(extra).length}.jsonl`);
    const { reader, ctx } = await openSource(path, 'csv', { 'scan.dead-letter-queue.path': deadFile, ...extra });
    expect((await drain(reader)).rows.map((r) => r.account_id)).toEqual([1, 4]);
    expect(ctx.metrics.badRecordsSkipped).toBe(2);
    const letters = (await readFile(deadFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const offsetOf = (i: number) => lines.slice(0, i).reduce((n, l) => n + Buffer.byteLength(l) + 2, 0);
    expect(letters.map((l) => [l.table, l.file, l.line, l.offset, l.raw])).toEqual([
      ['t', path, 2, offsetOf(1), lines[1]],
      ['t', path, 3, offsetOf(2), lines[2]],
    ]);
    expect(letters[0].reason).toContain("column 'amount'");
  });

  it('fails clearly on a missing path', async () => {
    await expect(openSource(join(dir, 'nope'), 'csv')).rejects.toBeInstanceOf(UserError);
  });
});

describe('filesystem sink restore', () => {
  it('cuts the part back to the checkpoint and drops later parts', async () => {
    const path = join(dir, 'sink-restore');
    const options = { path, format: 'csv', 'sink.rolling-policy.file-size': '4kb' };
    const writer = (await module()).createSink!(sinkContext(schema, options));
    await writer.open(null);
    await writeAll(writer, makeRows(100));
    await writer.flush();
    const position = JSON.parse(JSON.stringify(writer.snapshot!()));
    // rows after the checkpoint, flushed to disk, then a crash
    await writeAll(writer, makeRows(400, 100));
    await writer.close();
    expect((await readdir(path)).length).toBeGreaterThan(position.part + 1);

    const restored = (await module()).createSink!(sinkContext(schema, options));
    await restored.open(position);
    await writeAll(restored, makeRows(400, 100)); // the source replays them
    await restored.flush();
    expect(restored.snapshot!()).toMatchObject({ part: expect.any(Number) });
    await restored.close();
    const { reader } = await openSource(path, 'csv');
    expect((await drain(reader)).rows).toEqual(makeRows(500));
  });

  it('scale-down 3 -> 2: subtask 0 cuts the parts of vanished subtask 2 back to the checkpoint; every row once', async () => {
    const path = join(dir, 'sink-handover');
    const options = { path, format: 'csv', 'sink.rolling-policy.file-size': '4kb' };
    const open = async (index: number, parallelism: number, restored: unknown) => {
      const w = (await module()).createSink!({ ...sinkContext(schema, options), subtask: { index, parallelism } });
      await w.open(restored);
      return w;
    };
    // At -p 3: subtask i writes rows i*1000.., checkpoints, then writes (and flushes, rolling parts) rows the
    // checkpoint does not hold, and the job dies.
    const positions: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const w = await open(i, 3, null);
      await writeAll(w, makeRows(50, i * 1000));
      await w.flush();
      positions.push(JSON.parse(JSON.stringify(w.snapshot!())));
      await writeAll(w, makeRows(300, i * 1000 + 50));
      await w.close();
    }
    expect((await readdir(path)).filter((f) => f.startsWith('part-2-')).length).toBeGreaterThan(1);
    // At -p 2 from that checkpoint: the sources replay rows after it, now read by subtasks 0 and 1.
    const first = await open(0, 2, positions[0]);
    await first.takeOver!([{ subtask: 2, state: positions[2] }]);
    const second = await open(1, 2, positions[1]);
    await writeAll(first, [...makeRows(300, 50), ...makeRows(300, 2050)]);
    await writeAll(second, makeRows(300, 1050));
    for (const w of [first, second]) { await w.flush(); await w.close(); }
    const { reader } = await openSource(path, 'csv');
    const key = (r: Row) => `${r.ts}`;
    const expected = [0, 1, 2].flatMap((i) => makeRows(350, i * 1000)).map(key).sort();
    expect((await drain(reader)).rows.map(key).sort()).toEqual(expected);
    await expect(first.takeOver!([{ subtask: 2, state: { part: 'x' } }])).rejects.toThrow(/state of vanished subtask 2 is not a part file position/);
  });

  it('writes exactly the checkpointed bytes', async () => {
    const path = join(dir, 'sink-bytes');
    const writer = (await module()).createSink!(sinkContext(schema, { path, format: 'json' }));
    await writer.open(null);
    await writeAll(writer, makeRows(10));
    const position = writer.snapshot!() as { part: number; bytes: number };
    await writer.flush();
    const text = await readFile(join(path, 'part-0-0.json'), 'utf8');
    expect(Buffer.byteLength(text)).toBe(position.bytes);
    expect(text.split('\n')).toHaveLength(11);
    await writer.close();
  });
});

describe('filesystem options', () => {
  it('requires path and format, and checks format options against the format', () => {
    const check = (options: Record<string, string>) => filesystem.validate!({ table: 't', declared: schema, primaryKey: [], options }, 'source');
    expect(check({ path: '/x', format: 'csv', 'csv.field-delimiter': '|' })).toEqual([]);
    expect(check({ path: '/x', format: 'csv', 'json.fail-on-missing-field': 'true' })[0].option).toBe('json.fail-on-missing-field');
    expect(filesystem.options.required).toEqual(['path', 'format']);
  });
});
