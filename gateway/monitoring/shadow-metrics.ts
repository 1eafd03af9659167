import { Counter, Histogram, type Registry } from 'prom-client';

const OUTCOMES = ['agreed', 'disagreed', 'shadow_error', 'shed'] as const;
export type ShadowOutcome = (typeof OUTCOMES)[number];
const LABELS = ['model', 'version', 'shadow_version'] as const;
/** Comparisons kept per shadow version for windowed reads. */
const MAX_KEPT = 20_000;

/**
 * Shadow (mirror) traffic: how often the shadow agreed with the primary, failed,
 * or was shed under load, and how long it took. `version` is the primary's.
 */
export class ShadowMetrics {
  private readonly requests: Counter<(typeof LABELS)[number] | 'outcome'>;
  private readonly duration: Histogram<(typeof LABELS)[number]>;
  /** Recent comparisons per `model/shadow_version` (time in ms, disagreed), read by the rollout controller. */
  private readonly comparisons = new Map<string, { at: number[]; disagreed: boolean[] }>();
  /** Label sets whose series exist: every outcome is created at 0 on the first, so rates and ratios see the first event. */
  private readonly created = new Set<string>();

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'modelgate_shadow_requests_total',
      help: 'Mirrored requests by outcome: agreed or disagreed with the primary, shadow_error, shed (skipped under load).',
      labelNames: [...LABELS, 'outcome'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'modelgate_shadow_duration_seconds',
      help: 'Time the shadow version took to answer a mirrored request.',
      labelNames: [...LABELS],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  /** Comparisons of `shadowVersion` of `model` against its primaries that ended at or after `since` (ms). */
  since(model: string, shadowVersion: number, since: number): { comparisons: number; disagreements: number } {
    const log = this.comparisons.get(`${model}/${shadowVersion}`);
    let comparisons = 0;
    let disagreements = 0;
    for (let i = (log?.at.length ?? 0) - 1; i >= 0 && log!.at[i]! >= since; i -= 1) {
      comparisons += 1;
      if (log!.disagreed[i]) disagreements += 1;
    }
    return { comparisons, disagreements };
  }

  observe(model: string, version: number, shadowVersion: number, outcome: ShadowOutcome, seconds?: number): void {
    const labels = { model, version: String(version), shadow_version: String(shadowVersion) };
    const created = `${model}/${version}/${shadowVersion}`;
    if (!this.created.has(created)) {
      this.created.add(created);
      for (const o of OUTCOMES) this.requests.inc({ ...labels, outcome: o }, 0);
      this.duration.zero(labels);
    }
    this.requests.inc({ ...labels, outcome });
    if (outcome === 'agreed' || outcome === 'disagreed') {
      const key = `${model}/${shadowVersion}`;
      const log = this.comparisons.get(key) ?? { at: [], disagreed: [] };
      log.at.push(Date.now());
      log.disagreed.push(outcome === 'disagreed');
      if (log.at.length > MAX_KEPT) {
        log.at.splice(0, log.at.length - MAX_KEPT);
        log.disagreed.splice(0, log.disagreed.length - MAX_KEPT);
      }
      this.comparisons.set(key, log);
    }
    if (seconds !== undefined) this.duration.observe(labels, seconds);
  }
}
