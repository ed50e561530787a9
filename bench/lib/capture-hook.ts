// Preloaded into a sluice bundle's process (node --import capture-hook.mjs build/x.mjs ...): gives the job's
// collect sink (the harness swaps the sink table to it with --set <sink>.connector=collect --set <sink>.id=<id>)
// a consumer that computes the answer as rows arrive, as the peers' capture sink does, and writes it when the
// process exits. The collect sink finds its buffers and consumers in a process-wide map under
// Symbol.for('sluice.collect'), which is how something outside the bundle can see them; the bundle itself
// runs unchanged.
// The spec comes in $SLUICE_BENCH_CAPTURE: { id, path, mode, columns, primaryKey, stopAfter? }.
import { performance } from 'node:perf_hooks';
import { RowCapture, type CaptureSpec } from './capture.js';

const raw = process.env.SLUICE_BENCH_CAPTURE;
if (raw) {
  const spec = JSON.parse(raw) as CaptureSpec & { id: string };
  const capture = new RowCapture(spec);
  const g = globalThis as unknown as Record<symbol, Map<string, unknown>>;
  (g[Symbol.for('sluice.collect')] ??= new Map()).set(spec.id, capture);
  // The bundle exits with process.exit() once its sinks are closed; only a clean end writes an answer.
  // performance.timeOrigin is when this process started: the reference for the time to first result.
  process.on('exit', (code) => { if (code === 0) capture.finish(performance.timeOrigin); });
  // An unbounded source (Kafka) never ends: stop the job as Ctrl-C does once every expected record is in.
  capture.onComplete = () => process.kill(process.pid, 'SIGINT');
}
