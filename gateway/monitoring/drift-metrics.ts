import { Counter, Gauge, type Registry } from 'prom-client';
import type { ModelVersion } from '../models/model-version.ts';
import type { MonitoredSide } from './drift-monitor.ts';
import type { ModelVerdict } from './drift/detector.ts';

/** Method names as exported in the `method` label (see deploy/prometheus/rules). */
const SCORE_LABELS = { psi: 'psi', js: 'js', wasserstein: 'wasserstein', ks: 'ks', chiSquare: 'chi2' } as const;
const STATUS_VALUE = { insufficient_data: -1, ok: 0, warn: 1, alert: 2 } as const;
const QUALITY = ['missing', 'out_of_range', 'unseen_category'] as const;

type Labels = Record<string, string>;

/**
 * Input and output distributions and drift scores, read at scrape time from each
 * version's DriftMonitor (counts are kept in typed arrays on the request path;
 * nothing here runs per request). Every bin series exists from the first
 * scrape, so sums over bins never lose a term.
 */
export function registerDriftMetrics(registry: Registry, versions: () => Iterable<ModelVersion>): { beginScrape(): void } {
  const registers = [registry];
  const monitored = function* (): Generator<{ v: ModelVersion; labels: Labels; inputs: MonitoredSide; outputs: MonitoredSide }> {
    for (const v of versions()) {
      const monitor = v.monitor;
      if (v.state === 'READY' && monitor !== undefined) yield { v, labels: { model: v.model, version: String(v.version) }, inputs: monitor.inputs, outputs: monitor.outputs };
    }
  };
  const bins = (side: MonitoredSide, key: 'feature' | 'output', labels: Labels, each: (l: Labels, live: number, reference: number) => void): void => {
    side.features.forEach((feature, f) => {
      const live = side.binner.totals.histogram(f);
      feature.shares.forEach((share, bin) => each({ ...labels, [key]: feature.name, bin: String(bin) }, live[bin] ?? 0, share));
    });
  };

  counter('modelgate_input_feature_bin_total', 'Rows whose input feature fell in each reference bin.', ['feature', 'bin'], (set) => {
    for (const m of monitored()) bins(m.inputs, 'feature', m.labels, (l, live) => set(l, live));
  });
  gauge('modelgate_input_reference_share', 'Reference share of each input feature bin (sums to 1 per feature).', ['feature', 'bin'], (set) => {
    for (const m of monitored()) bins(m.inputs, 'feature', m.labels, (l, _live, reference) => set(l, reference));
  });
  counter('modelgate_output_bin_total', 'Responses whose output fell in each reference bin.', ['output', 'bin'], (set) => {
    for (const m of monitored()) bins(m.outputs, 'output', m.labels, (l, live) => set(l, live));
  });
  gauge('modelgate_output_reference_share', 'Reference share of each output bin (sums to 1 per output).', ['output', 'bin'], (set) => {
    for (const m of monitored()) bins(m.outputs, 'output', m.labels, (l, _live, reference) => set(l, reference));
  });
  counter('modelgate_data_quality_events_total', 'Input values that were missing/NaN, outside the reference range, or unseen categories.', ['feature', 'kind'], (set) => {
    for (const m of monitored()) {
      const totals = m.inputs.binner.totals;
      const arrays = { missing: totals.missing, out_of_range: totals.outOfRange, unseen_category: totals.unseen };
      m.inputs.features.forEach((feature, f) => {
        for (const kind of QUALITY) set({ ...m.labels, feature: feature.name, kind }, arrays[kind][f] ?? 0);
      });
    }
  });

  // Verdicts are computed once per scrape (beginScrape() marks a new one) and shared by the gauges below.
  let verdicts: Map<ModelVersion, { inputs: ModelVerdict; outputs: ModelVerdict }> | undefined;
  const verdictsOf = (): Map<ModelVersion, { inputs: ModelVerdict; outputs: ModelVerdict }> => {
    if (verdicts === undefined) {
      verdicts = new Map();
      for (const m of monitored()) verdicts.set(m.v, { inputs: m.inputs.verdict(), outputs: m.outputs.verdict() });
    }
    return verdicts;
  };
  gauge('modelgate_drift_window_samples', 'Rows in the current drift window.', [], (set) => {
    for (const m of monitored()) set(m.labels, verdictsOf().get(m.v)?.inputs.rows ?? 0);
  });
  gauge('modelgate_drift_score', 'Drift score of each input feature over the window, by method (a p-value for ks).', ['feature', 'method'], (set) => {
    for (const m of monitored()) {
      for (const f of verdictsOf().get(m.v)?.inputs.features ?? []) {
        for (const [key, method] of Object.entries(SCORE_LABELS)) {
          const score = f.scores[key as keyof typeof SCORE_LABELS];
          if (score !== undefined && Number.isFinite(score)) set({ ...m.labels, feature: f.name, method }, score);
        }
      }
    }
  });
  gauge('modelgate_drift_status', 'Drift verdict per input feature: -1 insufficient data, 0 ok, 1 warn, 2 alert.', ['feature'], (set) => {
    for (const m of monitored()) for (const f of verdictsOf().get(m.v)?.inputs.features ?? []) set({ ...m.labels, feature: f.name }, STATUS_VALUE[f.status]);
  });
  gauge('modelgate_output_drift_status', 'Drift verdict per output: -1 insufficient data, 0 ok, 1 warn, 2 alert.', ['output'], (set) => {
    for (const m of monitored()) for (const f of verdictsOf().get(m.v)?.outputs.features ?? []) set({ ...m.labels, output: f.name }, STATUS_VALUE[f.status]);
  });
  gauge('modelgate_drifted_features_ratio', 'Share of evaluated input features in alert.', [], (set) => {
    for (const m of monitored()) set(m.labels, verdictsOf().get(m.v)?.inputs.driftedShare ?? 0);
  });

  return {
    beginScrape: () => {
      verdicts = undefined;
    },
  };

  function counter(name: string, help: string, extra: string[], fill: (set: (labels: Labels, value: number) => void) => void): void {
    new Counter({
      name, help, labelNames: ['model', 'version', ...extra], registers,
      collect() {
        this.reset();
        fill((labels, value) => this.inc(labels, value));
      },
    });
  }
  function gauge(name: string, help: string, extra: string[], fill: (set: (labels: Labels, value: number) => void) => void): void {
    new Gauge({
      name, help, labelNames: ['model', 'version', ...extra], registers,
      collect() {
        this.reset();
        fill((labels, value) => this.set(labels, value));
      },
    });
  }
}
