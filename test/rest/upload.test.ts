// POST /jars/upload with @fastify/multipart: the file streams to the jars directory, an upload over
// rest.server.max-content-length is refused with 413 and leaves nothing behind, any file field is taken.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir } from '../helpers/tables.js';
import { compileFixture, TestCluster } from '../cluster/helpers.js';

let cluster: TestCluster;
let bundle: string;
const LIMIT = 4 * 1024 * 1024;

beforeAll(async () => {
  bundle = compileFixture('test/cluster/fixtures/windowed-sums.ts', ['--rows', '10', '--output', path.join(tempDir(), 'out')]);
  cluster = await TestCluster.start({ defines: [`rest.server.max-content-length=${LIMIT}`] });
});

afterAll(() => {
  cluster?.stop();
});

async function upload(data: Buffer, field: string, name: string) {
  const form = new FormData();
  form.append('note', 'a field before the file');
  form.append(field, new Blob([new Uint8Array(data)]), name);
  const res = await fetch(`${cluster.url}/jars/upload`, { method: 'POST', body: form });
  return { status: res.status, json: (await res.json()) as any };
}

it('streams a bundle in any file field; refuses one over the limit with 413 and keeps nothing of it', async () => {
  const data = fs.readFileSync(bundle);
  expect(data.length).toBeLessThan(LIMIT);
  const ok = await upload(data, 'file', 'windowed-sums.mjs');
  expect(ok.status).toBe(200);
  expect(fs.readFileSync(ok.json.filename).equals(data)).toBe(true);

  const big = Buffer.concat([data, Buffer.alloc(LIMIT, 0x20)]);
  const tooBig = await upload(big, 'jarfile', 'big.mjs');
  expect(tooBig.status).toBe(413);
  const jars = fs.readdirSync(path.dirname(ok.json.filename));
  expect(jars).toEqual([path.basename(ok.json.filename)]);
  expect((await cluster.rest('GET', '/jars')).json.files).toHaveLength(1);
});
