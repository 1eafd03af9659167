import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FP16_NAN, FP16_NEGATIVE_INFINITY, FP16_POSITIVE_INFINITY,
  fp16BitsToNumber, isFp16NaN, numberToFp16Bits,
} from './fp16.ts';

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
/** The next double above a non-negative finite x. */
function nextUp(x: number): number {
  f64[0] = x;
  u64[0] = (u64[0] as bigint) + 1n;
  return f64[0] as number;
}
function nextDown(x: number): number {
  f64[0] = x;
  u64[0] = (u64[0] as bigint) - 1n;
  return f64[0] as number;
}

test('all 65536 bit patterns survive bits → number → bits (NaN stays NaN)', () => {
  for (let bits = 0; bits < 0x10000; bits++) {
    const x = fp16BitsToNumber(bits);
    const back = numberToFp16Bits(x);
    if (isFp16NaN(bits)) {
      assert.ok(Number.isNaN(x), `bits ${bits.toString(16)} should decode to NaN`);
      assert.ok(isFp16NaN(back), `NaN from ${bits.toString(16)} should encode as a NaN, got ${back.toString(16)}`);
    } else {
      assert.equal(back, bits, `bits 0x${bits.toString(16)} → ${x} → 0x${back.toString(16)}`);
    }
  }
});

test('decodes known values', () => {
  assert.equal(fp16BitsToNumber(0x3c00), 1);
  assert.equal(fp16BitsToNumber(0xc000), -2);
  assert.equal(fp16BitsToNumber(0x7bff), 65504);
  assert.equal(fp16BitsToNumber(0x0400), 2 ** -14); // smallest normal
  assert.equal(fp16BitsToNumber(0x0001), 2 ** -24); // smallest subnormal
  assert.equal(fp16BitsToNumber(0x03ff), 1023 * 2 ** -24); // largest subnormal
  assert.equal(fp16BitsToNumber(0x3555), 0.333251953125);
  assert.equal(fp16BitsToNumber(FP16_POSITIVE_INFINITY), Infinity);
  assert.equal(fp16BitsToNumber(FP16_NEGATIVE_INFINITY), -Infinity);
  assert.ok(Object.is(fp16BitsToNumber(0x8000), -0));
  assert.ok(Number.isNaN(fp16BitsToNumber(FP16_NAN)));
});

test('encodes specials and edges', () => {
  assert.equal(numberToFp16Bits(0), 0);
  assert.equal(numberToFp16Bits(-0), 0x8000);
  assert.equal(numberToFp16Bits(Infinity), 0x7c00);
  assert.equal(numberToFp16Bits(-Infinity), 0xfc00);
  assert.equal(numberToFp16Bits(NaN), FP16_NAN);
  assert.equal(numberToFp16Bits(65504), 0x7bff);
  assert.equal(numberToFp16Bits(65519.99), 0x7bff); // below the halfway point
  assert.equal(numberToFp16Bits(65520), 0x7c00); // halfway to 2^16: ties to even → infinity
  assert.equal(numberToFp16Bits(-1e6), 0xfc00);
  assert.equal(numberToFp16Bits(2 ** -25), 0); // halfway to the smallest subnormal: to even (0)
  assert.equal(numberToFp16Bits(nextUp(2 ** -25)), 1);
  assert.equal(numberToFp16Bits(3 * 2 ** -25), 2); // 1.5 subnormal units: to even (2)
  assert.equal(numberToFp16Bits(1e-10), 0);
  assert.equal(numberToFp16Bits(-1e-10), 0x8000);
  assert.equal(numberToFp16Bits(Number.MIN_VALUE), 0); // float64 subnormal
  assert.equal(numberToFp16Bits(2049), 0x6800); // 2048: tie, mantissa even
  assert.equal(numberToFp16Bits(2051), 0x6802); // 2052: tie, mantissa even
  assert.equal(numberToFp16Bits(0.1), 0x2e66);
  assert.equal(numberToFp16Bits(1023.5 * 2 ** -24), 0x0400); // rounds up into the normals
  assert.equal(numberToFp16Bits(2 ** -14 - 2 ** -26), 0x0400);
  // Rounding directly from float64 (no double rounding through float32):
  // 1 + 2^-11 + 2^-40 is just above the midpoint of 1 and 1+2^-10, so rounds up,
  // whereas via float32 it would become the exact midpoint and round to even (1).
  assert.equal(numberToFp16Bits(1 + 2 ** -11 + 2 ** -40), 0x3c01);
});

// An independent reference: the nearest of all finite half values by binary search.
const positives: number[] = [];
for (let bits = 0; bits <= 0x7bff; bits++) positives.push(fp16BitsToNumber(bits));

function referenceBits(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00;
  let lo = 0;
  let hi = positives.length - 1;
  while (lo < hi) { // largest index with value <= a
    const mid = (lo + hi + 1) >> 1;
    if ((positives[mid] as number) <= a) lo = mid; else hi = mid - 1;
  }
  const below = positives[lo] as number;
  if (below === a || lo === positives.length - 1) return sign | lo;
  const above = positives[lo + 1] as number;
  const dBelow = a - below;
  const dAbove = above - a;
  if (dBelow < dAbove) return sign | lo;
  if (dAbove < dBelow) return sign | (lo + 1);
  return sign | (lo % 2 === 0 ? lo : lo + 1);
}

test('every midpoint between neighbouring halves rounds to even; its neighbours round to nearest', () => {
  for (let i = 0; i + 1 < positives.length; i++) {
    const mid = ((positives[i] as number) + (positives[i + 1] as number)) / 2;
    const even = i % 2 === 0 ? i : i + 1;
    assert.equal(numberToFp16Bits(mid), even, `midpoint ${mid}`);
    assert.equal(numberToFp16Bits(-mid), 0x8000 | even, `midpoint ${-mid}`);
    assert.equal(numberToFp16Bits(nextDown(mid)), i, `below midpoint ${mid}`);
    assert.equal(numberToFp16Bits(nextUp(mid)), i + 1, `above midpoint ${mid}`);
  }
});

test('random doubles match the reference rounding', () => {
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let n = 0; n < 200_000; n++) {
    const exp = Math.floor(rand() * 50) - 32; // 2^-32 … 2^17
    const x = (rand() < 0.5 ? -1 : 1) * (1 + rand()) * 2 ** exp;
    assert.equal(numberToFp16Bits(x), referenceBits(x), `x = ${x}`);
  }
});
