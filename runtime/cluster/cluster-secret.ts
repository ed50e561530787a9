// The cluster secret: what a taskmanager shows to use the jobmanager's internal protocol (registration,
// heartbeats, task events, deregistration), so that no other caller of the public REST port can register
// fake taskmanagers or force failovers. The jobmanager takes `cluster.secret` (or $SLUICE_CLUSTER_SECRET)
// or makes a random one at start and writes it into the cluster directory readable by its owner only;
// local taskmanagers read it there, remote ones are given the same value.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ClusterPaths } from './cluster-dir.js';
import type { Config } from './config.js';

export const SECRET_HEADER = 'x-sluice-cluster-secret';
export const SECRET_KEY = 'cluster.secret';
export const SECRET_ENV = 'SLUICE_CLUSTER_SECRET';

const secretFile = (paths: ClusterPaths) => path.join(paths.root, 'cluster.secret');
const configured = (config: Config) => process.env[SECRET_ENV] || config[SECRET_KEY] || null;

/** The jobmanager's secret for this run, written to `<cluster dir>/cluster.secret` (mode 0600). */
export function establishClusterSecret(paths: ClusterPaths, config: Config): string {
  const secret = configured(config) ?? randomBytes(32).toString('hex');
  const file = secretFile(paths);
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, secret, { mode: 0o600 });
  fs.renameSync(temp, file);
  return secret;
}

/** What a taskmanager shows: the configured secret, else the one the running jobmanager wrote; null if none yet. */
export function readClusterSecret(paths: ClusterPaths, config: Config): string | null {
  const given = configured(config);
  if (given) return given;
  try {
    return fs.readFileSync(secretFile(paths), 'utf8').trim() || null;
  } catch {
    return null;
  }
}

export function secretMatches(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
