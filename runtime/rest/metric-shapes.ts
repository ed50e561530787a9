// Flink's two metric answers: a collection (`[{id}]` without ?get, `[{id, value}]` with ?get=a,b; values as
// strings, as Flink sends them) and an aggregate over subtasks, jobs or taskmanagers (`[{id, min, max, avg,
// sum}]`, the modes chosen by ?agg=min,max,...). Unknown ids in ?get are left out, as Flink does.
import { badRequest } from '../cluster/errors.js';

export type MetricValues = Record<string, number>;

export function metricCollection(values: MetricValues, get: string | undefined) {
  if (!get) return Object.keys(values).map((id) => ({ id }));
  return get.split(',').map((id) => id.trim()).filter((id) => id in values).map((id) => ({ id, value: String(values[id]) }));
}

const AGG_MODES = ['min', 'max', 'avg', 'sum'] as const;
type AggMode = (typeof AGG_MODES)[number];

export function aggregatedMetrics(samples: MetricValues[], get: string | undefined, agg: string | undefined) {
  const ids = [...new Set(samples.flatMap((s) => Object.keys(s)))];
  if (!get) return ids.map((id) => ({ id }));
  const modes = agg ? agg.split(',').map((m) => m.trim().toLowerCase()) : [...AGG_MODES];
  const unknown = modes.find((m) => !(AGG_MODES as readonly string[]).includes(m));
  if (unknown !== undefined) throw badRequest(`Request did not match expected format: query parameter 'agg': unknown aggregation '${unknown}' (one of min, max, sum, avg)`);
  return get.split(',').map((id) => id.trim()).filter((id) => ids.includes(id)).map((id) => {
    const vs = samples.map((s) => s[id]).filter((v): v is number => typeof v === 'number');
    const sum = vs.reduce((a, b) => a + b, 0);
    const all: Record<AggMode, number> = { min: Math.min(...vs), max: Math.max(...vs), avg: vs.length ? sum / vs.length : 0, sum };
    return { id, ...Object.fromEntries(modes.map((m) => [m, all[m as AggMode]])) };
  });
}

/** Flink's numeric metric id parts: anything but letters, digits and _ becomes _ (as its scope formats do). */
export const metricName = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');
