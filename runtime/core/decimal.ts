// Exact DECIMAL(p, s) arithmetic, as Flink's DecimalData / DecimalDataUtils compute it. A DECIMAL value is a
// bigint holding the unscaled number (12.30 in DECIMAL(4, 2) is 1230n); its scale and precision are its
// column's type, which the compiler knows, so values carry nothing else and bigints of one type compare,
// add, sort and key Maps as they are. Every result goes through Flink's fromBigDecimal: rounded HALF_UP to
// the result scale, NULL when it has more digits than the result precision. Why bigint: docs/types.md.

/** 10^n as a bigint (the common ones precomputed: rescaling is a multiplication or a division by one). */
const POW10: readonly bigint[] = Array.from({ length: 80 }, (_, i) => 10n ** BigInt(i));
export const pow10 = (n: number): bigint => POW10[n] ?? 10n ** BigInt(n);

const abs = (u: bigint) => (u < 0n ? -u : u);

/** The unscaled value u (at scale `from`) at scale `to`, rounded HALF_UP (away from zero on a tie) when it loses digits. */
export function rescale(u: bigint, from: number, to: number): bigint {
  if (to >= from) return to === from ? u : u * pow10(to - from);
  return divideHalfUp(u, pow10(from - to));
}

/** n / d rounded HALF_UP (d > 0 or d < 0; not 0). */
function divideHalfUp(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n - q * d;
  if (r === 0n) return q;
  return abs(r) * 2n >= abs(d) ? ((n < 0n) !== (d < 0n) ? q - 1n : q + 1n) : q;
}

/** Flink's fromBigDecimal: u at scale `from` rounded HALF_UP to scale s, or null when it needs more than p digits. */
export function fit(u: bigint, from: number, p: number, s: number): bigint | null {
  const r = rescale(u, from, s);
  return abs(r) < pow10(p) ? r : null;
}

/** Thrown where Flink's BigDecimal throws (division by zero, text that is no number): the job fails, TRY_CAST gives NULL. */
export class DecimalError extends Error {}

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** The unscaled value at scale s of a number written in text (Java's new BigDecimal(text): sign, digits, point, exponent), rounded HALF_UP; null when it needs more than p digits; a DecimalError when it is no number. */
export function parseDecimal(text: string, p: number, s: number): bigint | null {
  const m = NUMBER.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new DecimalError(`'${text}' is not a number`);
  const fraction = m[3] ?? '';
  const digits = BigInt((m[2] || '0') + fraction);
  const exponent = m[4] ? Number(m[4]) : 0;
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 1000) return digits === 0n ? 0n : exponent < 0 ? 0n : null;
  const u = fit(m[1] === '-' ? -digits : digits, fraction.length - exponent, p, s);
  return u;
}

/** Java's BigDecimal.toPlainString of u at scale s: the digits with a point before the last s (CAST AS STRING, csv, JSON). */
export function plainString(u: bigint, s: number): string {
  if (s <= 0) return (s === 0 ? u : u * pow10(-s)).toString();
  const digits = abs(u).toString().padStart(s + 1, '0');
  return `${u < 0n ? '-' : ''}${digits.slice(0, -s)}.${digits.slice(-s)}`;
}

/**
 * Java's BigDecimal.toString of u at scale s, as Flink's print connector shows a DECIMAL (Row.toString): plain,
 * except that a value whose first digit lies more than 6 places after the point is in E notation (0E-13 is zero
 * in DECIMAL(21, 13), 1.2E-7 is 0.00000012).
 */
export function javaDecimalString(u: bigint, s: number): string {
  const coefficient = abs(u).toString();
  const adjusted = -s + coefficient.length - 1;
  if (s >= 0 && adjusted >= -6) return plainString(u, s);
  const mantissa = coefficient.length > 1 ? `${coefficient[0]}.${coefficient.slice(1)}` : coefficient;
  return `${u < 0n ? '-' : ''}${mantissa}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
}

/** Java's (double) of a DECIMAL(p, s), as DecimalDataUtils.doubleValue: long / 10^s up to 18 digits, else correctly rounded. */
export function decimalToDouble(u: bigint, p: number, s: number): number {
  if (p <= 18 && s <= 22) return Number(u) / 10 ** s;
  return Number(plainString(u, s));
}

/** Java's BigDecimal.longValue of u cut to an integer (DOWN), in 64 bits (the integer casts narrow it further). */
export function decimalToLong(u: bigint, s: number): bigint {
  return BigInt.asIntN(64, s === 0 ? u : u / pow10(s));
}

/** DECIMAL(p, s) from an integer (a JS number holding an exact integer), or null when it does not fit. */
export function fromInteger(n: number, p: number, s: number): bigint | null {
  const u = BigInt(n) * pow10(s);
  return abs(u) < pow10(p) ? u : null;
}

/**
 * a / b at result scale s and precision p, as Flink's divide: BigDecimal.divide to 38 significant digits
 * (HALF_UP), then rounded HALF_UP to scale s; null when the result has more than p digits; division by zero fails.
 */
export function divideDecimal(a: bigint, sa: number, b: bigint, sb: number, p: number, s: number): bigint | null {
  if (b === 0n) throw new DecimalError(a === 0n ? 'Division undefined' : 'Division by zero');
  if (a === 0n) return 0n;
  // The quotient's first digit is at 10^e with e = adjusted exponent: estimate from the digit counts, then fix.
  const na = abs(a), nb = abs(b);
  let e = na.toString().length - nb.toString().length - sa + sb;
  // |a / b| >= 10^e  <=>  na * 10^sb >= 10^e * nb * 10^sa (compared with non-negative powers only).
  const atLeast = (x: number) => {
    const left = na * pow10(Math.max(0, sb)) * (x < 0 ? pow10(-x) : 1n);
    const right = nb * pow10(Math.max(0, sa)) * (x > 0 ? pow10(x) : 1n);
    return left >= right;
  };
  if (!atLeast(e)) e--;
  else if (atLeast(e + 1)) e++;
  // 38 significant digits: the quotient at scale t = 37 - e, rounded HALF_UP.
  const t = 37 - e;
  const shift = t + sb - sa;
  const q = shift >= 0 ? divideHalfUp(a * pow10(shift), b) : divideHalfUp(a, b * pow10(-shift));
  return fit(q, t, p, s);
}

/** a % b (the sign of a, as BigDecimal.remainder) at scale s, null beyond p digits; by zero fails. */
export function remainderDecimal(a: bigint, sa: number, b: bigint, sb: number, p: number, s: number): bigint | null {
  if (b === 0n) throw new DecimalError(a === 0n ? 'Division undefined' : 'Division by zero');
  const scale = Math.max(sa, sb);
  const x = rescale(a, sa, scale), y = rescale(b, sb, scale);
  return fit(x % y, scale, p, s);
}

/** ROUND(x, r) of u at scale s, as DecimalDataUtils.sround: HALF_UP at r places (tens, hundreds for r < 0), then at scale max(r, 0). */
export function roundDecimal(u: bigint, s: number, r: number): bigint {
  if (r >= s) return u;
  if (r >= 0) return rescale(u, s, r);
  return rescale(rescale(u, s, r), r, 0);
}

/** TRUNCATE(x, r): cut towards zero at r places, at scale max(r, 0). */
export function truncateDecimal(u: bigint, s: number, r: number): bigint {
  if (r >= s) return u;
  const cut = u / pow10(s - r);
  return r >= 0 ? cut : cut * pow10(-r);
}

/** FLOOR / CEIL at scale 0. */
export function floorDecimal(u: bigint, s: number, ceil: boolean): bigint {
  if (s === 0) return u;
  const d = pow10(s);
  const q = u / d;
  if (q * d === u) return q;
  return ceil ? (u > 0n ? q + 1n : q) : (u < 0n ? q - 1n : q);
}

/** -1, 0 or 1 at scale s (SIGN keeps the argument's type). */
export const signDecimal = (u: bigint, s: number): bigint => (u > 0n ? pow10(s) : u < 0n ? -pow10(s) : 0n);

/** A DECIMAL literal of the plan (its text, or a number) as the bigint of its type. */
export function decimalLiteral(value: string | number, p: number, s: number): bigint {
  const u = parseDecimal(String(value), p, s);
  if (u === null) throw new DecimalError(`the literal ${value} does not fit DECIMAL(${p}, ${s})`);
  return u;
}
