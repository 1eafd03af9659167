import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BinCounts, binLayout } from './bin-counts.ts';
import { DEFAULT_DRIFT_CONFIG, DriftDetector, resolveDriftConfig, statusOf } from './detector.ts';
import { parseReferenceProfile, type FeatureProfile } from './reference-profile.ts';

// Hand-made profile: a numeric feature with two bins (points 0 and 1, std 0.5) and a
// categorical one with categories a, b (+ "other"); both 50/50 in the reference.
const profile = parseReferenceProfile({
  schemaVersion: 1,
  sampleSize: 10_000,
  features: [
    { name: 'x', kind: 'numeric', count: 10_000, missingShare: 0, min: 0, max: 1, mean: 0.5, std: 0.5, edges: [0.5], shares: [0.5, 0.5], centers: [0, 1] },
    { name: 'c', kind: 'categorical', count: 10_000, missingShare: 0, categories: ['a', 'b'], shares: [0.5, 0.5, 0] },
  ],
});
const features: FeatureProfile[] = profile.features;

/** Window counts: per feature, its bin counts (+ missing). */
function window(...perFeature: { bins: number[]; missing?: number }[]): BinCounts {
  const counts = new BinCounts(binLayout(features));
  perFeature.forEach(({ bins, missing = 0 }, f) => {
    counts.histogram(f).set(bins);
    counts.missing[f] = missing;
    counts.observed[f] = bins.reduce((a, b) => a + b, 0) + missing;
    counts.rows = Math.max(counts.rows, counts.observed[f] as number);
  });
  return counts;
}

test('defaults: Evidently-like thresholds, JS on a 1000-row count window, verdicts on a full window', () => {
  assert.deepEqual(DEFAULT_DRIFT_CONFIG.thresholds.psi, { warn: 0.1, alert: 0.2 });
  assert.deepEqual([DEFAULT_DRIFT_CONFIG.thresholds.js.alert, DEFAULT_DRIFT_CONFIG.thresholds.wasserstein.alert, DEFAULT_DRIFT_CONFIG.thresholds.chisquare.alert], [0.1, 0.1, 0.05]);
  assert.deepEqual(DEFAULT_DRIFT_CONFIG.window, { kind: 'count', size: 1000 });
  assert.equal(DEFAULT_DRIFT_CONFIG.minSamples, 1000);
  assert.ok(Object.isFrozen(DEFAULT_DRIFT_CONFIG) && Object.isFrozen(DEFAULT_DRIFT_CONFIG.thresholds.js));
});

test('no drift: every feature ok, every method scored', () => {
  const verdict = new DriftDetector(features).evaluate(window({ bins: [600, 600] }, { bins: [590, 610, 0] }));
  assert.equal(verdict.status, 'ok');
  assert.deepEqual(verdict.features.map((f) => f.status), ['ok', 'ok']);
  const [x, c] = verdict.features;
  assert.deepEqual(Object.keys(x?.scores ?? {}).sort(), ['chiSquare', 'chiSquarePValue', 'js', 'ks', 'ksPValue', 'psi', 'wasserstein']);
  assert.deepEqual(Object.keys(c?.scores ?? {}).sort(), ['chiSquare', 'chiSquarePValue', 'js', 'psi']);
  assert.equal(x?.method, 'js');
  assert.equal(x?.score, x?.scores.js);
  assert.deepEqual([verdict.evaluated, verdict.drifted, verdict.driftedShare, verdict.rows], [2, 0, 0, 1200]);
});

test('one of two features drifted: it alerts, the model alerts at driftedShare 0.5', () => {
  // 30/70 against 50/50: JS 0.174 ≥ 0.1
  const verdict = new DriftDetector(features).evaluate(window({ bins: [300, 700] }, { bins: [500, 500, 0] }));
  assert.deepEqual(verdict.features.map((f) => f.status), ['alert', 'ok']);
  assert.deepEqual([verdict.status, verdict.drifted, verdict.driftedShare], ['alert', 1, 0.5]);
  assert.ok(Math.abs((verdict.features[0]?.score ?? 0) - 0.17408372939284805) < 1e-12);
  const lenient = new DriftDetector(features, resolveDriftConfig({ modelDriftShare: 0.75 }));
  assert.equal(lenient.evaluate(window({ bins: [300, 700] }, { bins: [500, 500, 0] })).status, 'warn');
});

test('the configured method decides: PSI 0.17 is a warn, chi-square by p-value, per-feature overrides', () => {
  const counts = window({ bins: [300, 700] }, { bins: [450, 550, 0] });
  const psi = new DriftDetector(features, resolveDriftConfig({ numericMethod: 'psi', categoricalMethod: 'chisquare' })).evaluate(counts);
  assert.deepEqual(psi.features.map((f) => [f.method, f.status]), [['psi', 'warn'], ['chisquare', 'alert']]);
  assert.ok((psi.features[1]?.score ?? 1) < 0.05); // the p-value
  assert.equal(psi.status, 'alert'); // c alerts: 1 of 2 features drifted ≥ modelDriftShare 0.5
  const w = new DriftDetector(features, resolveDriftConfig({ features: { x: { method: 'wasserstein', threshold: { alert: 0.5 } } } })).evaluate(counts);
  assert.ok(Math.abs((w.features[0]?.score ?? 0) - 0.4) < 1e-12); // |0.5 − 0.3|·1 / 0.5
  assert.deepEqual([w.features[0]?.method, w.features[0]?.status], ['wasserstein', 'ok']);
});

test('below minSamples: insufficient_data (scores still reported); missing values do not count', () => {
  const detector = new DriftDetector(features, resolveDriftConfig({ minSamples: 500 }));
  const verdict = detector.evaluate(window({ bins: [100, 300], missing: 400 }, { bins: [300, 300, 0] }));
  const [x, c] = verdict.features;
  assert.deepEqual([x?.status, x?.samples, x?.missingShare], ['insufficient_data', 400, 0.5]);
  assert.ok((x?.scores.js ?? 0) > 0.1);
  assert.deepEqual([c?.status, verdict.status, verdict.evaluated], ['ok', 'ok', 1]);
  assert.equal(detector.evaluate(window({ bins: [0, 0] }, { bins: [1, 0, 0] })).status, 'insufficient_data');
});

test('data-quality shares: out of range and unseen over the non-missing values', () => {
  const counts = window({ bins: [500, 500] }, { bins: [450, 450, 100] });
  counts.outOfRange[0] = 50;
  counts.unseen[1] = 100;
  const [x, c] = new DriftDetector(features).evaluate(counts).features;
  assert.deepEqual([x?.outOfRangeShare, c?.unseenShare], [0.05, 0.1]);
});

test('statusOf: distances alert at ≥ threshold, p-values below it', () => {
  assert.equal(statusOf('psi', 0.15, { warn: 0.1, alert: 0.2 }), 'warn');
  assert.equal(statusOf('psi', 0.2, { warn: 0.1, alert: 0.2 }), 'alert');
  assert.equal(statusOf('ks', 0.04, { alert: 0.05 }), 'alert');
  assert.equal(statusOf('chisquare', 0.07, { warn: 0.1, alert: 0.05 }), 'warn');
  assert.equal(statusOf('js', Number.NaN, { alert: 0.1 }), 'ok');
});

test('resolveDriftConfig merges over the defaults and names bad fields', () => {
  const config = resolveDriftConfig({ thresholds: { js: { alert: 0.2 } } });
  assert.deepEqual([config.thresholds.js, config.thresholds.psi], [{ alert: 0.2 }, { warn: 0.1, alert: 0.2 }]);
  assert.equal(resolveDriftConfig({ window: { kind: 'count', size: 300 } }).minSamples, 300);
  assert.equal(resolveDriftConfig({ window: { kind: 'time', seconds: 600 } }).minSamples, 1000);
  assert.throws(() => resolveDriftConfig({ window: { kind: 'count', size: 300 }, minSamples: 500 }), /minSamples: expected ≤ window\.size \(300\)/);
  assert.throws(() => resolveDriftConfig({ minSamples: 0 }), /minSamples: expected an integer ≥ 1/);
  assert.throws(() => resolveDriftConfig({ modelDriftShare: 0 }), /modelDriftShare/);
  assert.throws(() => resolveDriftConfig({ thresholds: { psi: { warn: 0.3, alert: 0.2 } } }), /thresholds\.psi/);
  assert.throws(() => resolveDriftConfig({ categoricalMethod: 'ks' as never }), /categoricalMethod: expected one of psi, js, chisquare/);
  assert.throws(() => new DriftDetector(features, resolveDriftConfig({ features: { c: { method: 'wasserstein' } } })), /features\.c\.method: expected one of psi, js, chisquare for a categorical feature/);
});
