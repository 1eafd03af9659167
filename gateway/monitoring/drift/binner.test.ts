import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BinCounts } from './bin-counts.ts';
import { DriftBinner } from './binner.ts';
import { buildProfile } from './profile-builder.ts';

// x: numeric 0..99 → edges 10..90 (10 bins), min 0, max 99.
// k: categorical codes, categories "0" (60 %), "1" (30 %), "2" (10 %) + "other".
// s: categorical strings with a cap of 2 → categories "a", "b"; "c" folded into "other".
const rows = 100;
const features = [
  ...buildProfile([
    { name: 'x', kind: 'numeric', values: Array.from({ length: rows }, (_, i) => i) },
    { name: 'k', kind: 'categorical', values: Array.from({ length: rows }, (_, i) => (i < 60 ? 0 : i < 90 ? 1 : 2)) },
  ]).features,
  ...buildProfile([
    { name: 's', kind: 'categorical', values: Array.from({ length: rows }, (_, i) => (i < 50 ? 'a' : i < 90 ? 'b' : 'c')) },
  ], { maxCategories: 2 }).features,
];
const [X, K, S] = [0, 1, 2];

const fresh = (): DriftBinner => new DriftBinner(features);
const hist = (counts: BinCounts, f: number): number[] => Array.from(counts.histogram(f));

test('layout: numeric edges + 1 bins, categorical categories + 1 ("other")', () => {
  const b = fresh();
  assert.deepEqual(Array.from(b.layout.offsets), [0, 10, 14, 17]);
  assert.deepEqual(b.layout.names, ['x', 'k', 's']);
});

test('observeMatrix bins each mapped column; unmapped columns are skipped', () => {
  const b = fresh();
  // columns: [x, ignored, k]; 3 rows
  const data = Float64Array.from([5, 999, 0, 10, 999, 1, 95, 999, 0]);
  b.observeMatrix(data, 3, b.mapColumns(['x', 'not-profiled', 'k']));
  assert.deepEqual(hist(b.pending, X), [1, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(hist(b.pending, K), [2, 1, 0, 0]);
  assert.deepEqual(Array.from(b.pending.observed), [3, 3, 0]);
  assert.throws(() => b.observeMatrix(data, 3, Int32Array.from([0, 1])), /mapping: expected 3 entries/);
});

test('NaN is missing (observed, not binned); outside [min, max] is out of range and in the outer bin', () => {
  const b = fresh();
  b.observeColumn(X, Float32Array.from([Number.NaN, -5, 0, 99, 150, Number.POSITIVE_INFINITY]));
  const p = b.pending;
  assert.deepEqual(hist(p, X), [2, 0, 0, 0, 0, 0, 0, 0, 0, 3]);
  assert.deepEqual([p.observed[X], p.missing[X], p.outOfRange[X], p.samples(X)], [6, 1, 3, 5]);
});

test('unseen categories go to "other" and are counted; folded ones only go to "other"', () => {
  const b = fresh();
  b.observeColumn(K, Int32Array.from([0, 2, 7, -1]));
  b.observeColumn(K, Float64Array.from([1.5, Number.NaN]));
  assert.deepEqual(hist(b.pending, K), [1, 0, 1, 3]);
  assert.deepEqual([b.pending.unseen[K], b.pending.missing[K]], [3, 1]);
  b.observeColumn(S, ['a', 'b', 'c', 'zzz', 'b']);
  assert.deepEqual(hist(b.pending, S), [1, 2, 2]);
  assert.equal(b.pending.unseen[S], 1);
});

test('INT64 class ids and string codes bin like numbers', () => {
  const b = fresh();
  b.observeColumn(K, BigInt64Array.from([0n, 1n, 1n, 2n, -3n, 2n ** 40n]));
  b.observeColumn(K, BigUint64Array.from([2n]));
  b.observeColumn(K, ['0', '1']);
  assert.deepEqual(hist(b.pending, K), [2, 3, 2, 2]);
  assert.equal(b.pending.unseen[K], 2);
  b.observeColumn(X, BigInt64Array.from([-7n, 42n]));
  assert.deepEqual(hist(b.pending, X), [1, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
});

test('observeColumn reads a strided column of a row-major matrix', () => {
  const b = fresh();
  b.observeColumn(K, Float64Array.from([50, 1, 60, 2, 70, 1]), 2, 1);
  assert.deepEqual(hist(b.pending, K), [0, 2, 1, 0]);
});

test('flush adds the batch to totals, hands it to sinks with its row count, then clears it', () => {
  const b = fresh();
  const seen: { rows: number; bins: number[] }[] = [];
  const sink = { add: (batch: BinCounts) => seen.push({ rows: batch.rows, bins: hist(batch, K) }) };
  b.observeColumn(K, Int32Array.from([0, 0, 1]));
  b.observeColumn(X, Int32Array.from([1, 2]));
  b.flush([sink]);
  b.observeColumn(K, Int32Array.from([2]));
  b.flush([sink]);
  b.flush([sink]); // nothing pending: no empty batch handed on
  assert.deepEqual(seen, [{ rows: 3, bins: [2, 1, 0, 0] }, { rows: 1, bins: [0, 0, 1, 0] }]);
  assert.deepEqual(hist(b.totals, K), [2, 1, 1, 0]);
  assert.equal(b.totals.rows, 4);
  assert.deepEqual(Array.from(b.pending.observed), [0, 0, 0]);
});

test('buffers are preallocated and reused across batches (no per-row allocation)', () => {
  const b = fresh();
  const buffersOf = (x: DriftBinner): Float64Array[] => [x.pending.bins, x.pending.observed, x.pending.missing, x.pending.outOfRange, x.pending.unseen, x.totals.bins];
  const buffers = buffersOf(b);
  const mapping = b.mapColumns(['x', 'k']);
  const batch = new Float64Array(2 * 256);
  for (let i = 0; i < 256; i++) {
    batch[2 * i] = i % 120;
    batch[2 * i + 1] = i % 4;
  }
  for (let round = 0; round < 50; round++) {
    b.observeMatrix(batch, 2, mapping);
    b.flush();
  }
  buffersOf(b).forEach((buffer, i) => assert.equal(buffer, buffers[i])); // same objects, not copies
  assert.equal(b.totals.rows, 50 * 256);
  assert.equal(b.totals.unseen[K], 50 * 64); // code 3
});
