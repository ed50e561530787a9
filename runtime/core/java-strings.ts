// Values spelled as Flink's print connector shows them: it converts a row to Flink's external Java classes
// and prints Row.toString(), so TIMESTAMP is a LocalDateTime ('2020-01-01T12:00', seconds and millis only
// when non-zero), TIMESTAMP_LTZ an Instant ('2020-01-01T12:00:00Z'), DOUBLE Java's Double.toString ('12.0',
// '1.0E7'), NULL 'null', arrays '[a, b]', maps '{k=v}' and nested rows '+I[...]'.
import type { DataType } from './data-types.js';
import { javaDecimalString } from './decimal.js';

/** A MAP value's entries: a Map (as SQL builds them), or an object (as a UDF may return one). */
export const entriesOf = (v: unknown): [unknown, unknown][] => (v instanceof Map ? [...v] : Object.entries(v as Record<string, unknown>));

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function date(d: Date): string {
  const y = d.getUTCFullYear();
  const year = y > 9999 ? '+' + y : y < 0 ? '-' + pad(-y, 4) : pad(y, 4);
  return `${year}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** java.time.LocalTime.toString for a time given as milliseconds (of the day, or since the epoch). */
function localTime(d: Date): string {
  const s = d.getUTCSeconds(), ms = d.getUTCMilliseconds();
  let out = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  if (s > 0 || ms > 0) out += ':' + pad(s);
  if (ms > 0) out += '.' + pad(ms, 3);
  return out;
}

export const localDateTime = (ms: number) => { const d = new Date(ms); return `${date(d)}T${localTime(d)}`; };

const instant = (ms: number) => {
  const d = new Date(ms);
  const millis = d.getUTCMilliseconds();
  return `${date(d)}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${millis > 0 ? '.' + pad(millis, 3) : ''}Z`;
};

/** Java's Double.toString: plain notation in [1e-3, 1e7), else computerized scientific ('1.0E7', '1.5E-4'). */
export function javaDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  return javaDigits(n, String(n), n.toExponential());
}

/** Java's Float.toString: the shortest decimal that reads back as the same float. */
export function javaFloat(n: number): string {
  if (!Number.isFinite(n) || n === 0) return javaDouble(n);
  const f = Math.fround(n);
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) {
      const shortest = Number(s);
      return javaDigits(shortest, String(shortest), shortest.toExponential());
    }
  }
  return javaDouble(f);
}

function javaDigits(n: number, plain: string, exponential: string): string {
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) return plain.includes('.') ? plain : plain + '.0';
  const [mantissa, exponent] = exponential.split('e');
  return `${mantissa.includes('.') ? mantissa : mantissa + '.0'}E${exponent.replace('+', '')}`;
}

/** One value as Row.toString prints it. */
export function javaString(v: unknown, type: DataType): string {
  if (v === null || v === undefined) return 'null';
  switch (type.name) {
    case 'TIMESTAMP': return localDateTime(v as number);
    case 'TIMESTAMP_LTZ': return instant(v as number);
    case 'DATE': return date(new Date(v as number));
    case 'TIME': return localTime(new Date(v as number));
    case 'DOUBLE': return javaDouble(v as number);
    case 'FLOAT': return javaFloat(v as number);
    case 'DECIMAL': return javaDecimalString(v as bigint, type.scale ?? 0);
    case 'BYTES': return `[${Array.from(v as Uint8Array, (b) => (b > 127 ? b - 256 : b)).join(', ')}]`;
    case 'ARRAY': return `[${(v as unknown[]).map((e) => javaString(e, type.element!)).join(', ')}]`;
    case 'MAP': return `{${entriesOf(v).map(([k, e]) => `${javaString(k, type.key!)}=${javaString(e, type.value!)}`).join(', ')}}`;
    case 'ROW': return `+I[${(type.fields ?? []).map((f) => javaString((v as Record<string, unknown>)[f.name], f.type)).join(', ')}]`;
    default: return String(v);
  }
}
