import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BinCounts, binLayout } from './bin-counts.ts';
import type { FeatureProfile } from './reference-profile.ts';
import { CountWindow, TimeWindow, createWindow } from './windows.ts';

// One numeric feature with two bins: (-inf, 0) and [0, +inf).
const feature: FeatureProfile = { name: 'x', kind: 'numeric', count: 10, missingShare: 0, min: -1, max: 1, mean: 0, std: 1, edges: [0], shares: [0.5, 0.5] };
const layout = binLayout([feature]);

/** A flushed batch: `low` rows in bin 0, `high` rows in bin 1. */
function batch(low: number, high: number): BinCounts {
  const b = new BinCounts(layout);
  b.bins.set([low, high]);
  b.observed[0] = low + high;
  b.rows = low + high;
  return b;
}
const histogram = (counts: BinCounts): number[] => Array.from(counts.histogram(0));

test('count window: chunks close at size / chunks rows; the oldest chunk drops out', () => {
  const w = new CountWindow(layout, { kind: 'count', size: 10, chunks: 2 });
  assert.equal(w.chunkRows, 5);
  w.add(batch(5, 0)); // chunk 1 closes
  w.add(batch(0, 5)); // chunk 2 closes
  assert.deepEqual([w.read().rows, histogram(w.read())], [10, [5, 5]]);
  w.add(batch(0, 2)); // open chunk: the window holds size + partial
  assert.deepEqual([w.read().rows, histogram(w.read())], [12, [5, 7]]);
  w.add(batch(0, 3)); // closes the third chunk: the first (all low) drops out
  assert.deepEqual([w.read().rows, histogram(w.read())], [10, [0, 10]]);
  assert.equal(w.read().samples(0), 10);
  w.clear();
  assert.equal(w.read().rows, 0);
});

test('count window: a batch larger than a chunk stays whole in one chunk', () => {
  const w = new CountWindow(layout, { kind: 'count', size: 4, chunks: 2 });
  w.add(batch(7, 0));
  w.add(batch(0, 2));
  w.add(batch(0, 2)); // the 7-row chunk drops out
  assert.deepEqual(histogram(w.read()), [0, 4]);
});

test('read reuses its output object (overwritten by the next read)', () => {
  const w = new CountWindow(layout, { kind: 'count', size: 10 });
  w.add(batch(1, 0));
  const first = w.read();
  w.add(batch(0, 1));
  assert.equal(w.read(), first);
  assert.deepEqual(histogram(first), [1, 1]);
});

test('time window: buckets expire after `seconds` (injected clock, ms)', () => {
  let now = 1_000_000; // bucket 100 (10 s buckets)
  const w = new TimeWindow(layout, { kind: 'time', seconds: 60, buckets: 6 }, () => now);
  assert.equal(w.bucketMs, 10_000);
  w.add(batch(3, 0)); // bucket 100
  now += 30_000;
  w.add(batch(0, 4)); // bucket 103
  assert.deepEqual(histogram(w.read()), [3, 4]);
  now = 1_000_000 + 65_000; // bucket 106: window = buckets 100..106 (open + 6 closed)
  assert.deepEqual(histogram(w.read()), [3, 4]);
  now = 1_000_000 + 70_000; // bucket 107: bucket 100 has expired
  assert.deepEqual(histogram(w.read()), [0, 4]);
  w.add(batch(1, 0)); // reuses bucket 100's slot, cleared first
  assert.deepEqual([histogram(w.read()), w.read().rows], [[1, 4], 5]);
  now = 1_000_000 + 200_000; // everything expired
  assert.deepEqual([histogram(w.read()), w.read().rows], [[0, 0], 0]);
});

test('createWindow builds the configured kind and rejects bad sizes', () => {
  assert.ok(createWindow(layout, { kind: 'count', size: 100 }) instanceof CountWindow);
  assert.ok(createWindow(layout, { kind: 'time', seconds: 300 }, () => 0) instanceof TimeWindow);
  assert.throws(() => createWindow(layout, { kind: 'count', size: 0 }), /window\.size: expected an integer ≥ 1, got 0/);
  assert.throws(() => createWindow(layout, { kind: 'time', seconds: -1 }), /window\.seconds: expected > 0/);
});
