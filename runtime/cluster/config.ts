// Cluster configuration as Flink's: flat keys with string values, from (lowest first) built-in defaults,
// `<cluster dir>/config.yaml` (YAML, flat or nested keys, like Flink's config.yaml), and `-D key=value` on the command
// line. A job's own configuration (`getConfig().set`, `-D` at submission) wins over the cluster's for the
// job's keys (checkpointing, restart strategy). The REST token comes from $SLUICE_REST_TOKEN or
// `rest.auth.token`; it is never printed or served back.
import fs from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { UserError } from '../core/errors.js';
import type { ClusterPaths } from './cluster-dir.js';

export type Config = Record<string, string>;

export const TOKEN_KEY = 'rest.auth.token';
export const TOKEN_ENV = 'SLUICE_REST_TOKEN';

/** Defaults; heartbeats as the operations playground configures them (1 s, timeout 5 s). */
export function defaultConfig(paths: ClusterPaths): Config {
  return {
    'rest.address': '127.0.0.1',
    'rest.port': '8081',
    // The playgrounds' taskmanager has 2 slots (Flink's own default is 1).
    'taskmanager.numberOfTaskSlots': '2',
    'heartbeat.interval': '1000',
    'heartbeat.timeout': '5000',
    'state.checkpoints.dir': paths.checkpointsDir,
    'state.checkpoints.num-retained': '3',
    'state.savepoints.dir': paths.savepointsDir,
    'web.exception-history-size': '16',
    'web.checkpoints.history': '10',
    'rest.server.max-content-length': String(100 * 1024 * 1024),
  };
}

/**
 * Reads config.yaml with a YAML parser, as Flink 2 does: flat keys (`rest.port: 8081`) and nested maps
 * (`rest:\n  port: 8081`) both give `rest.port`; scalars become strings, lists Flink's `a;b` form. A syntax
 * error names the file, line and column.
 */
export function parseConfigFile(text: string, file = 'config.yaml'): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const { line, col } = lines.linePos(err.pos[0]);
    throw new UserError(`${file}:${line}:${col}: ${err.message.split('\n')[0]}`, 'config.yaml holds `key: value` lines or nested maps, as Flink\'s');
  }
  const root: unknown = doc.toJS();
  if (root === null || root === undefined) return {};
  if (typeof root !== 'object' || Array.isArray(root)) throw new UserError(`${file}: expected a map of options (key: value), got ${Array.isArray(root) ? 'a list' : `'${String(root)}'`}`);
  const config: Config = {};
  const flatten = (prefix: string, value: unknown): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
      for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v);
    } else if (Array.isArray(value)) config[prefix] = value.map(String).join(';');
    else config[prefix] = value === null ? '' : value instanceof Date ? value.toISOString() : String(value);
  };
  flatten('', root);
  return config;
}

export function parseDefines(defines: string[]): Config {
  const config: Config = {};
  for (const d of defines) {
    const eq = d.indexOf('=');
    if (eq <= 0) throw new UserError(`-D ${d}: expected key=value`);
    config[d.slice(0, eq)] = d.slice(eq + 1);
  }
  return config;
}

export function loadClusterConfig(paths: ClusterPaths, defines: string[] = [], overrides: Config = {}): Config {
  const file = path.join(paths.root, 'config.yaml');
  const fromFile = fs.existsSync(file) ? parseConfigFile(fs.readFileSync(file, 'utf8'), file) : {};
  return { ...defaultConfig(paths), ...fromFile, ...parseDefines(defines), ...overrides };
}

export function resolveToken(config: Config): string | null {
  return process.env[TOKEN_ENV] || config[TOKEN_KEY] || null;
}

/** The configuration as served by GET /jobmanager/config: the token never leaves the process. */
export function publicConfig(config: Config): Config {
  const out: Config = {};
  for (const [k, v] of Object.entries(config)) out[k] = /token|password|secret/i.test(k) ? '******' : v;
  return out;
}

export function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address) || /^::ffff:127\./.test(address);
}

