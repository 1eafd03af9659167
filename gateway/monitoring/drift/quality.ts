/**
 * Drift-detection quality on seeded synthetic traffic (run:
 * `node --import tsx gateway/monitoring/drift/quality.ts`). For each count-window size and
 * each method (its Evidently-like threshold from DEFAULT_DRIFT_CONFIG):
 * (a) false alarms: windows, out of 20 consecutive windows of reference-distributed traffic
 *     per seed, in which any evaluation put any numeric feature in 'alert'; "peak" is the
 *     worst null score over all of them (p-value methods: the lowest p);
 * (b) detection delay: requests after a mean shift of 0.25 / 0.5 / 1 reference sd starts on one
 *     feature until that feature is 'alert' (the window full of reference traffic before; worst
 *     over the seeds; "never" = not within 5 windows).
 * Verdicts need a full window (minSamples = size), so warm-up noise is not counted against the
 * size. The detector evaluates after every 16-row batch (stricter than a 15 s scrape); one
 * request = one row. Exits 1 when DEFAULT_DRIFT_CONFIG misses the target: no false alarm and
 * a 0.5 sd shift of the normal feature flagged within 2 windows.
 */
import { DriftBinner } from './binner.ts';
import { DEFAULT_DRIFT_CONFIG, DRIFT_METHODS, DriftDetector, resolveDriftConfig, statusOf, type DriftMethod, type FeatureVerdict, type ModelVerdict } from './detector.ts';
import { buildProfile } from './profile-builder.ts';
import type { ReferenceProfile } from './reference-profile.ts';
import { fillRows, Rng, SIMULATED_FEATURES } from './simulated-traffic.ts';
import { CountWindow } from './windows.ts';

const REFERENCE_ROWS = 10_000;
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const WINDOW_SIZES = [250, 500, 1000, 2000, 5000];
const SHIFTS = [0.25, 0.5, 1];
const SHIFTED = ['normal', 'lognormal'];
const WINDOWS = 20;
const BATCH_ROWS = 16;
const MAX_DELAY_WINDOWS = 5;
const features = SIMULATED_FEATURES;
const width = features.length;
const numeric = features.map((f, i) => (f.kind === 'numeric' ? i : -1)).filter((i) => i >= 0);
const categorical = features.findIndex((f) => f.kind === 'categorical');
const P_VALUE = new Set<DriftMethod>(['ks', 'chisquare']);

function referenceProfile(seed: number): ReferenceProfile {
  const rows = new Float64Array(REFERENCE_ROWS * width);
  fillRows(new Rng(seed), features, rows, new Float64Array(width));
  return buildProfile(features.map((f, c) => ({
    name: f.name, kind: f.kind, values: Array.from({ length: REFERENCE_ROWS }, (_, r) => rows[r * width + c] as number),
  })));
}

/** Streams phases of traffic through binner → count window → detector, calling `check` after each batch. */
function stream(profile: ReferenceProfile, size: number, rng: Rng, phases: { rows: number; shift: Float64Array }[],
  check: (verdict: ModelVerdict, rowsDone: number, phase: number) => void): void {
  const binner = new DriftBinner(profile.features);
  const window = new CountWindow(binner.layout, { kind: 'count', size });
  const detector = new DriftDetector(profile.features, resolveDriftConfig({ window: { kind: 'count', size }, minSamples: size }));
  const mapping = binner.mapColumns(features.map((f) => f.name));
  const batch = new Float64Array(BATCH_ROWS * width);
  phases.forEach((phase, index) => {
    for (let done = 0; done < phase.rows; done += BATCH_ROWS) {
      fillRows(rng, features, batch, phase.shift);
      binner.observeMatrix(batch, width, mapping);
      binner.flush([window]);
      check(detector.evaluate(window.read()), done + BATCH_ROWS, index);
    }
  });
}

/** The method's score for a feature (p-value for ks / chisquare); undefined when not applicable or not evaluated. */
function scoreOf(v: FeatureVerdict | undefined, method: DriftMethod): number | undefined {
  if (v === undefined || v.status === 'insufficient_data') return undefined;
  const s = v.scores;
  return method === 'ks' ? s.ksPValue : method === 'chisquare' ? s.chiSquarePValue : s[method];
}

function alerts(verdict: ModelVerdict, feature: number, method: DriftMethod): boolean {
  const score = scoreOf(verdict.features[feature], method);
  return score !== undefined && statusOf(method, score, DEFAULT_DRIFT_CONFIG.thresholds[method]) === 'alert';
}

interface Row { falseAlarms: number; categoricalFalseAlarms: number; peak: number; delays: Map<string, number> }

/** Every method judged on the same streams (the detector computes all scores anyway). */
function measure(size: number, profiles: ReferenceProfile[]): Map<DriftMethod, Row> {
  const rows = new Map(DRIFT_METHODS.map((m) => [m, { falseAlarms: 0, categoricalFalseAlarms: 0, peak: P_VALUE.has(m) ? 1 : 0, delays: new Map<string, number>() }]));
  profiles.forEach((profile, s) => {
    const flagged = new Map(DRIFT_METHODS.map((m) => [m, { numeric: new Set<number>(), categorical: new Set<number>() }]));
    stream(profile, size, new Rng(1000 + (SEEDS[s] as number)), [{ rows: WINDOWS * size, shift: new Float64Array(width) }], (verdict, done) => {
      const w = Math.floor((done - 1) / size);
      for (const method of DRIFT_METHODS) {
        const row = rows.get(method) as Row;
        for (const f of numeric) {
          const score = scoreOf(verdict.features[f], method);
          if (score !== undefined) row.peak = P_VALUE.has(method) ? Math.min(row.peak, score) : Math.max(row.peak, score);
          if (alerts(verdict, f, method)) flagged.get(method)?.numeric.add(w);
        }
        if (categorical >= 0 && alerts(verdict, categorical, method)) flagged.get(method)?.categorical.add(w);
      }
    });
    for (const method of DRIFT_METHODS) {
      const row = rows.get(method) as Row;
      row.falseAlarms += flagged.get(method)?.numeric.size ?? 0;
      row.categoricalFalseAlarms += flagged.get(method)?.categorical.size ?? 0;
    }
    for (const name of SHIFTED) {
      const f = features.findIndex((x) => x.name === name);
      for (const sd of SHIFTS) {
        const shift = new Float64Array(width);
        shift[f] = sd * (profile.features[f] as { std: number }).std;
        const first = new Map<DriftMethod, number>();
        stream(profile, size, new Rng(2000 + (SEEDS[s] as number)), [
          { rows: size, shift: new Float64Array(width) },
          { rows: MAX_DELAY_WINDOWS * size, shift },
        ], (verdict, done, phase) => {
          if (phase !== 1) return;
          for (const method of DRIFT_METHODS) if (!first.has(method) && alerts(verdict, f, method)) first.set(method, done);
        });
        for (const method of DRIFT_METHODS) {
          const delays = (rows.get(method) as Row).delays;
          const key = `${name}@${sd}`;
          delays.set(key, Math.max(delays.get(key) ?? 0, first.get(method) ?? Number.POSITIVE_INFINITY));
        }
      }
    }
  });
  return rows;
}

const meetsTarget = (r: Row, size: number): boolean => r.falseAlarms === 0 && (r.delays.get('normal@0.5') ?? Infinity) <= 2 * size;
const formatDelay = (d: number | undefined, size: number): string =>
  d === undefined || !Number.isFinite(d) ? 'never' : `${d} (${(d / size).toFixed(2)}w)`;

const profiles = SEEDS.map(referenceProfile);
const results = new Map(WINDOW_SIZES.map((size) => [size, measure(size, profiles)]));
const total = WINDOWS * SEEDS.length;
const header = ['window', 'method', 'false alarms', 'peak', 'cat. false', ...SHIFTED.flatMap((n) => SHIFTS.map((sd) => `${n} +${sd}sd`)), 'target'];
console.log(`reference ${REFERENCE_ROWS} rows, ${SEEDS.length} seeds, batches of ${BATCH_ROWS}; false alarms: windows with an alert out of ${total}; delay: worst requests after the shift (in windows)\n`);
console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
for (const [size, rows] of results) {
  for (const [method, r] of rows) {
    const cells = [String(size), method, `${r.falseAlarms}/${total}`, r.peak.toFixed(3), method === 'wasserstein' || method === 'ks' ? 'n/a' : `${r.categoricalFalseAlarms}/${total}`,
      ...SHIFTED.flatMap((n) => SHIFTS.map((sd) => formatDelay(r.delays.get(`${n}@${sd}`), size))), meetsTarget(r, size) ? 'yes' : 'no'];
    console.log(`| ${cells.join(' | ')} |`);
  }
}

console.log('\nsmallest window meeting the target (no false alarm, normal +0.5sd within 2 windows), per method:');
for (const method of DRIFT_METHODS) {
  const size = WINDOW_SIZES.find((n) => meetsTarget(results.get(n)?.get(method) as Row, n));
  const r = size === undefined ? undefined : results.get(size)?.get(method);
  console.log(`  ${method.padEnd(12)} ${size === undefined || r === undefined ? 'none' : `${size} rows: 0.5sd after ${formatDelay(r.delays.get('normal@0.5'), size)}, 0.25sd after ${formatDelay(r.delays.get('normal@0.25'), size)}`}`);
}
const { window, numericMethod, minSamples } = DEFAULT_DRIFT_CONFIG;
const current = window.kind === 'count' ? results.get(window.size)?.get(numericMethod) : undefined;
const ok = window.kind === 'count' && minSamples === window.size && current !== undefined && meetsTarget(current, window.size);
console.log(`\ndefaults: ${numericMethod}, count window ${window.kind === 'count' ? window.size : '(time)'}, minSamples ${minSamples}: ${ok ? 'meets the target' : 'MISSES the target (or is not measured here)'}`);
if (!ok) process.exitCode = 1;
