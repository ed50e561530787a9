// The REST token: binding anything but loopback requires one; with one configured, every request (the
// CLI's, the taskmanagers', curl's) must carry `Authorization: Bearer <token>`, and the token is never served.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tables.js';
import { sluiceIn, TestCluster } from './helpers.js';

const started: TestCluster[] = [];

afterAll(() => {
  for (const c of started) c.stop();
});

describe('REST token', () => {
  it('refuses to bind a non-loopback address without a token', () => {
    const dir = tempDir('sluice-cluster-');
    const r = sluiceIn(['cluster', 'start', '--dir', dir, '--rest-port', '0', '--rest-address', '0.0.0.0'], { SLUICE_REST_TOKEN: '' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/rest\.address 0\.0\.0\.0 is not a loopback address, and no token is configured/);
    expect(fs.existsSync(path.join(dir, 'jobmanager.pid'))).toBe(false);
  });

  it('with a token (from config.yaml), requests without it are 401; the taskmanager and the CLI send it', async () => {
    const dir = tempDir('sluice-cluster-');
    fs.writeFileSync(path.join(dir, 'config.yaml'), '# cluster configuration\nrest.auth.token: "s3cret token"\n');
    const cluster = await TestCluster.start({ dir, args: ['--rest-address', '0.0.0.0'] });
    started.push(cluster);
    const anonymous = await fetch(`${cluster.url}/overview`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as any).errors[0]).toMatch(/^Unauthorized/);
    const wrong = await fetch(`${cluster.url}/jobs`, { headers: { authorization: 'Bearer guess' } });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${cluster.url}/overview`, { headers: { authorization: 'Bearer s3cret token' } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).taskmanagers).toBe(1);
    const config = await fetch(`${cluster.url}/jobmanager/config`, { headers: { authorization: 'Bearer s3cret token' } });
    const text = await config.text();
    expect(text).not.toMatch(/s3cret/);
    expect(JSON.parse(text)).toContainEqual({ key: 'rest.auth.token', value: '******' });
    const list = cluster.sluice(['list']);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toBe('No running jobs.\nNo scheduled jobs.\n');
    // A wrong token in the environment wins over the file, and is refused.
    const refused = sluiceIn(['list', '--dir', dir], { SLUICE_REST_TOKEN: 'nope' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/error: Unauthorized/);
  });
});
