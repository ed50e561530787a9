// Flink's own CLI (pyflink/bin/flink from the apache-flink package, installed by .ci/install-flink-cli.sh into
// .venv-flink or $SLUICE_FLINK_VENV), run as a user would run it against a sluice cluster. A missing CLI
// fails the test that needs it, with the command that installs it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, type CliResult } from './cli.js';
import { tempDir } from './tables.js';

export function flinkHome(): string {
  const venv = process.env.SLUICE_FLINK_VENV ?? path.join(ROOT, '.venv-flink');
  const lib = path.join(venv, 'lib');
  const python = fs.existsSync(lib) ? fs.readdirSync(lib).find((d) => d.startsWith('python')) : undefined;
  const home = python ? path.join(lib, python, 'site-packages', 'pyflink') : '';
  if (!home || !fs.existsSync(path.join(home, 'bin', 'flink'))) {
    throw new Error(`Flink's CLI is not installed in ${venv}: run bash .ci/install-flink-cli.sh (apache-flink 2.3.0 from PyPI; needs Java 17)`);
  }
  return home;
}

/** `flink <args>` with its own log directory; the JVM takes several seconds to start. */
export function flink(args: string[]): CliResult {
  const home = flinkHome();
  const r = spawnSync(path.join(home, 'bin', 'flink'), args, {
    cwd: tempDir('flink-cli-'), encoding: 'utf8', timeout: 120_000,
    // A client JVM that lives seconds: the quick compiler and the serial collector start it with less CPU.
    env: { ...process.env, FLINK_HOME: home, FLINK_LOG_DIR: tempDir('flink-log-'), JVM_ARGS: '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
