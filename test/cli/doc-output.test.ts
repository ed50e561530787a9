// Output shown in the docs is output as it prints: the spend report example of docs/running-jobs.md is run as
// written (its `printf` and `sluice run` lines, the file in a temporary directory) and its stdout must equal
// the block that follows it on the page, timestamps included.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tables.js';

const page = fs.readFileSync(path.join(ROOT, 'docs/running-jobs.md'), 'utf8');

describe('docs/running-jobs.md', () => {
  it('the spend report over a file prints what the page shows', () => {
    const m = /```sh\n(printf [^\n]*> in\.csv\n[\s\S]*?)```\n```\n([\s\S]*?)```/.exec(page);
    expect(m, 'the example block and its output').not.toBeNull();
    const [, commands, shown] = m!;
    const dir = tempDir();
    const script = commands.replaceAll('in.csv', path.join(dir, 'in.csv')).replace(/^sluice /gm, `"${process.execPath}" bin/sluice.mjs `);
    const r = spawnSync('bash', ['-e', '-c', script], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, SLUICE_TYPECHECK: '0', SLUICE_LOG_LEVEL: 'warn' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(shown);
  });
});
