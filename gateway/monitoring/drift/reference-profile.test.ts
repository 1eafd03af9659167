import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProfile, quantileEdges } from './profile-builder.ts';
import {
  binIndex, parseReferenceProfile, representativePoints,
  type CategoricalFeatureProfile, type NumericFeatureProfile,
} from './reference-profile.ts';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const repeat = (value: number | string, n: number): (number | string)[] => Array.from({ length: n }, () => value);

function numeric(values: (number | string | null)[], bins?: number): NumericFeatureProfile {
  return buildProfile([{ name: 'x', kind: 'numeric', values }], bins === undefined ? {} : { bins }).features[0] as NumericFeatureProfile;
}

test('numeric: deciles of 0..99 give edges 10..90, equal shares, exact stats', () => {
  const f = numeric(range(100));
  assert.deepEqual(f.edges, [10, 20, 30, 40, 50, 60, 70, 80, 90]);
  assert.deepEqual(f.shares, repeat(0.1, 10));
  assert.deepEqual([f.count, f.missingShare, f.min, f.max, f.mean], [100, 0, 0, 99, 49.5]);
  assert.ok(Math.abs(f.std - Math.sqrt((100 * 100 - 1) / 12)) < 1e-12); // population std of 0..99
  assert.deepEqual(f.centers?.slice(0, 2), [4.5, 14.5]);
  assert.deepEqual(numeric(range(100), 4).edges, [25, 50, 75]);
});

test('numeric: discrete data gets one bin per value (equal edges and the minimum dropped)', () => {
  const f = numeric([...repeat(0, 60), ...repeat(1, 30), ...repeat(2, 10)]);
  assert.deepEqual(f.edges, [1, 2]);
  assert.deepEqual(f.shares, [0.6, 0.3, 0.1]);
  assert.deepEqual(numeric(repeat(7, 50)).edges, []); // constant: one bin
  assert.deepEqual(numeric(repeat(7, 50)).shares, [1]);
});

test('numeric: null, NaN, ±Infinity and blank strings are missing; numeric strings count', () => {
  const f = numeric([1, null, Number.NaN, '3', Infinity, -Infinity, ' ', 5]);
  assert.equal(f.count, 3);
  assert.equal(f.missingShare, 5 / 8);
  assert.deepEqual([f.min, f.max, f.mean], [1, 5, 3]);
  const empty = numeric([null, null]);
  assert.deepEqual([empty.count, empty.missingShare, empty.edges, empty.shares], [0, 1, [], [1]]);
});

test('quantileEdges stays within the data and strictly increases', () => {
  assert.deepEqual(quantileEdges(Float64Array.from([1, 2]), 10), [2]);
  assert.deepEqual(quantileEdges(new Float64Array(0), 10), []);
});

test('binIndex: left-closed bins, open-ended outer bins', () => {
  const edges = Float64Array.from([10, 20]);
  assert.deepEqual([-1e9, 9.99, 10, 19.99, 20, 1e9].map((v) => binIndex(edges, v)), [0, 0, 1, 1, 2, 2]);
});

test('categorical: shares by frequency (ties by name), "other" last, missing share', () => {
  const p = buildProfile([{ name: 'c', kind: 'categorical', values: ['a', 'c', 'a', null, 'b', 'a'] }]);
  const f = p.features[0] as CategoricalFeatureProfile;
  assert.deepEqual(f.categories, ['a', 'b', 'c']);
  assert.deepEqual(f.shares, [0.6, 0.2, 0.2, 0]);
  assert.equal(f.missingShare, 1 / 6);
  assert.equal(f.folded, undefined);
  const codes = buildProfile([{ name: 'k', kind: 'categorical', values: [1, 2, 2] }]).features[0] as CategoricalFeatureProfile;
  assert.deepEqual(codes.categories, ['2', '1']);
});

test('categorical: categories beyond maxCategories fold into "other" and are listed as folded', () => {
  const values = [...repeat('a', 5), ...repeat('b', 3), 'c', 'd'];
  const f = buildProfile([{ name: 'c', kind: 'categorical', values }], { maxCategories: 2 }).features[0] as CategoricalFeatureProfile;
  assert.deepEqual(f.categories, ['a', 'b']);
  assert.deepEqual(f.shares, [0.5, 0.3, 0.2]);
  assert.deepEqual(f.folded, ['c', 'd']);
});

test('outputs are profiled into their own section; the sample size is the row count', () => {
  const p = buildProfile([{ name: 'x', kind: 'numeric', values: range(10) }], {
    outputs: [{ name: 'label', kind: 'categorical', values: [0, 1, 1, 1, 0, 1, 1, 1, 1, 1] }],
  });
  assert.equal(p.schemaVersion, 1);
  assert.equal(p.sampleSize, 10);
  assert.deepEqual((p.outputs[0] as CategoricalFeatureProfile).shares, [0.8, 0.2, 0]);
  assert.throws(() => buildProfile([{ name: 'x', kind: 'numeric', values: [1] }, { name: 'y', kind: 'numeric', values: [] }]), /column "y": expected 1 values/);
});

test('parseReferenceProfile accepts a built profile round-tripped through JSON', () => {
  const p = buildProfile([
    { name: 'x', kind: 'numeric', values: range(50).map((i) => i * 0.37) },
    { name: 'c', kind: 'categorical', values: range(50).map((i) => (i % 3 === 0 ? 'u' : 'v')) },
  ]);
  assert.deepEqual(parseReferenceProfile(JSON.parse(JSON.stringify(p))), p);
  const noOutputs: Record<string, unknown> = { ...p };
  delete noOutputs.outputs;
  assert.deepEqual(parseReferenceProfile(noOutputs).outputs, []);
});

test('parseReferenceProfile names the offending field', () => {
  const valid = buildProfile([{ name: 'x', kind: 'numeric', values: range(100) }]);
  const broken = (edit: (f: Record<string, unknown>) => void): unknown => {
    const copy = JSON.parse(JSON.stringify(valid)) as { features: Record<string, unknown>[] };
    edit(copy.features[0] as Record<string, unknown>);
    return copy;
  };
  assert.throws(() => parseReferenceProfile(broken((f) => { f.shares = [1]; }), 'm/1/reference.json'),
    /^Error: m\/1\/reference\.json: features\.0\.shares: expected 10 entries \(edges \+ 1\), got 1/);
  assert.throws(() => parseReferenceProfile(broken((f) => { f.edges = [10, 10, 30, 40, 50, 60, 70, 80, 90]; })), /features\.0\.edges\.1: expected edges strictly increasing/);
  assert.throws(() => parseReferenceProfile(broken((f) => { f.kind = 'ordinal'; })), /features\.0\.kind/);
  assert.throws(() => parseReferenceProfile({ ...valid, schemaVersion: 2 }), /schemaVersion/);
  assert.throws(() => parseReferenceProfile(broken((f) => { f.shares = (f.shares as number[]).map(() => 0.2); })), /shares: expected shares summing to 1/);
});

test('representativePoints: stored centers, else midpoints bounded by min and max', () => {
  const f = numeric(range(100));
  assert.deepEqual(Array.from(representativePoints(f)).slice(0, 2), [4.5, 14.5]);
  const handWritten = { ...f, edges: [10, 20], shares: [0.3, 0.3, 0.4], centers: undefined };
  assert.deepEqual(Array.from(representativePoints(handWritten)), [5, 15, 59.5]);
});
