/**
 * IEEE-754 binary16 ("half", KServe FP16) ↔ JavaScript number.
 *
 * numberToFp16Bits rounds the float64 directly to half precision (never through float32,
 * which would round twice) with round-to-nearest, ties-to-even; values too small for the
 * smallest subnormal round to ±0, values of magnitude ≥ 65520 round to ±Infinity, and NaN
 * becomes the canonical quiet NaN 0x7e00 (its sign kept). Every finite half value, both
 * zeros and both infinities survive bits → number → bits unchanged.
 */

/** Canonical quiet NaN: sign 0, exponent all ones, top mantissa bit set. */
export const FP16_NAN = 0x7e00;
export const FP16_POSITIVE_INFINITY = 0x7c00;
export const FP16_NEGATIVE_INFINITY = 0xfc00;
/** Largest finite half value. */
export const FP16_MAX = 65504;
/** Magnitudes from here on round to infinity (halfway between 65504 and 2^16). */
export const FP16_OVERFLOW_THRESHOLD = 65520;

// Reads the sign and exponent of a float64 exactly, including the sign of -0.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // high word index

const TWO_POW_24 = 2 ** 24;
const TWO_POW_MINUS_24 = 2 ** -24;

/** Rounds a non-negative float64 that holds at most 11 integer bits to an integer, ties to even. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const rest = x - f; // exact: x and f share their exponent range
  if (rest > 0.5 || (rest === 0.5 && (f & 1) === 1)) return f + 1;
  return f;
}

/** The half-precision bit pattern nearest to `value`. */
export function numberToFp16Bits(value: number): number {
  f64[0] = value;
  const hi = u32[HI] as number;
  const sign = (hi >>> 16) & 0x8000;
  if (value !== value) return sign | FP16_NAN;
  const a = Math.abs(value);
  if (a >= FP16_OVERFLOW_THRESHOLD) return sign | FP16_POSITIVE_INFINITY; // also ±Infinity
  const exp = ((hi >>> 20) & 0x7ff) - 1023; // unbiased; -1023 for zero and float64 subnormals
  if (exp < -14) {
    // Half subnormal (or zero): the value in units of 2^-24, rounded; 1024 is the smallest normal.
    return sign | roundHalfEven(a * TWO_POW_24);
  }
  // Normal: the significand scaled to [1024, 2048), rounded; a carry to 2048 bumps the exponent.
  const m = roundHalfEven(a * 2 ** (10 - exp));
  return sign | (((exp + 15) << 10) + (m - 1024));
}

/** The number a half-precision bit pattern denotes (exact: every half value is a float64). */
export function fp16BitsToNumber(bits: number): number {
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  let v: number;
  if (exp === 0) v = mant * TWO_POW_MINUS_24;
  else if (exp === 0x1f) v = mant === 0 ? Infinity : NaN;
  else v = (mant + 1024) * 2 ** (exp - 25);
  return bits & 0x8000 ? -v : v;
}

/** Whether a half-precision bit pattern is a NaN. */
export function isFp16NaN(bits: number): boolean {
  return (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0;
}
