// Column values for datagen, row by row: one small generator per column, chosen once from its spec, and a
// row loop that fills whole batches. Random columns draw from the counter-based RowRandom, so row n is the
// same whenever it is generated; sequences are start + n.
import { rowBuilder, type Row, type RowBuilder } from '../../core/row.js';
import type { FieldSpec } from './field-specs.js';
import { RowRandom, streamKey } from './random.js';
import { parseDecimal } from '../../core/decimal.js';

const DAY_MS = 86_400_000;

interface ColumnGenerator {
  /** False for sequences: they need no draws, so the row loop does not position the random stream. */
  readonly random: boolean;
  value(rng: RowRandom, row: number, now: number): unknown;
}

const randomInteger = (min: number, max: number): ColumnGenerator => ({ random: true, value: (rng) => rng.nextInt(min, max) });

function randomReal(spec: FieldSpec): ColumnGenerator {
  const { min, max } = spec;
  if (spec.typeClass === 'decimal') {
    // The unscaled value at the column's scale (a bigint, core/decimal.ts), drawn between min and max.
    const scale = spec.type.scale ?? 0;
    const factor = 10 ** scale;
    return { random: true, value: (rng) => { const u = rng.nextDouble(); return parseDecimal(String(Math.min(max, Math.round((min * (1 - u) + max * u) * factor) / factor)), 38, scale); } };
  }
  const round = spec.type.name === 'FLOAT' ? Math.fround : (x: number) => x;
  // Interpolated rather than min + u * (max - min), which overflows to Infinity for wide ranges such as ±MAX_VALUE.
  return { random: true, value: (rng) => { const u = rng.nextDouble(); return round(min * (1 - u) + max * u); } };
}

function randomString(spec: FieldSpec): ColumnGenerator {
  const { length, varLen } = spec;
  return varLen
    ? { random: true, value: (rng) => rng.nextHex(rng.nextInt(1, length)) }
    : { random: true, value: (rng) => rng.nextHex(length) };
}

function randomPast(spec: FieldSpec): ColumnGenerator {
  const { maxPastMs } = spec;
  const date = spec.typeClass === 'date';
  return {
    random: true,
    value: (rng, _row, now) => {
      const t = maxPastMs > 0 ? now - Math.floor(rng.nextDouble() * maxPastMs) : now;
      return date ? Math.floor(t / DAY_MS) * DAY_MS : t;
    },
  };
}

function sequence(spec: FieldSpec): ColumnGenerator {
  const { start } = spec;
  if (spec.typeClass === 'decimal') {
    const unit = 10n ** BigInt(spec.type.scale ?? 0);
    return { random: false, value: (_rng, row) => BigInt(start + row) * unit };
  }
  return spec.typeClass === 'string' || spec.typeClass === 'char'
    ? { random: false, value: (_rng, row) => String(start + row) }
    : { random: false, value: (_rng, row) => start + row };
}

function columnGenerator(spec: FieldSpec): ColumnGenerator {
  if (spec.kind === 'sequence') return sequence(spec);
  switch (spec.typeClass) {
    case 'integer': return randomInteger(spec.min, spec.max);
    case 'float': case 'decimal': return randomReal(spec);
    case 'string': return randomString(spec);
    case 'char': return randomString({ ...spec, varLen: false });
    case 'boolean': return { random: true, value: (rng) => (rng.next32() & 1) === 1 };
    case 'timestamp': case 'date': return randomPast(spec);
  }
}

/** Generates rows of the given columns; deterministic in (seed, row index) apart from timestamps, which follow the clock. */
export class RowGenerator {
  private readonly build: RowBuilder;
  private readonly values: unknown[];
  private readonly gens: ColumnGenerator[];
  private readonly keys: number[];
  private readonly nullRates: number[];
  private readonly rng = new RowRandom();

  constructor(specs: readonly FieldSpec[], seed: number) {
    this.build = rowBuilder(specs.map((s) => s.name));
    this.values = new Array(specs.length).fill(null);
    this.gens = specs.map(columnGenerator);
    this.keys = specs.map((s) => streamKey(seed, s.name));
    this.nullRates = specs.map((s) => s.nullRate);
  }

  /** Rows first .. first + count - 1; `now` is the wall clock in epoch millis for timestamp columns. */
  rows(first: number, count: number, now: number): Row[] {
    const { gens, keys, nullRates, rng, values, build } = this;
    const out: Row[] = new Array(count);
    for (let r = 0; r < count; r++) {
      const index = first + r;
      for (let i = 0; i < gens.length; i++) {
        const g = gens[i];
        if (g.random) {
          rng.at(keys[i], index);
          // Flink draws a null before the value: null when the draw falls under null-rate.
          if (nullRates[i] > 0 && rng.nextDouble() < nullRates[i]) { values[i] = null; continue; }
        }
        values[i] = g.value(rng, index, now);
      }
      out[r] = build(values);
    }
    return out;
  }
}
