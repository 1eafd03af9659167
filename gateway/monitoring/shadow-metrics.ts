import { Counter, Histogram, type Registry } from 'prom-client';

const OUTCOMES = ['agreed', 'disagreed', 'shadow_error', 'shed'] as const;
export type ShadowOutcome = (typeof OUTCOMES)[number];
const LABELS = ['model', 'version', 'shadow_version'] as const;

/**
 * Shadow (mirror) traffic: how often the shadow agreed with the primary, failed,
 * or was shed under load, and how long it took. `version` is the primary's.
 */
export class ShadowMetrics {
  private readonly requests: Counter<(typeof LABELS)[number] | 'outcome'>;
  private readonly duration: Histogram<(typeof LABELS)[number]>;
  /** Cumulative comparisons per `model/shadow_version`, read by the rollout controller. */
  private readonly tallies = new Map<string, { comparisons: number; disagreements: number }>();

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

  /** Comparisons so far of `shadowVersion` of `model` against its primaries. */
  tally(model: string, shadowVersion: number): { comparisons: number; disagreements: number } {
    return { ...(this.tallies.get(`${model}/${shadowVersion}`) ?? { comparisons: 0, disagreements: 0 }) };
  }

  observe(model: string, version: number, shadowVersion: number, outcome: ShadowOutcome, seconds?: number): void {
    const labels = { model, version: String(version), shadow_version: String(shadowVersion) };
    this.requests.inc({ ...labels, outcome });
    if (outcome === 'agreed' || outcome === 'disagreed') {
      const key = `${model}/${shadowVersion}`;
      const tally = this.tallies.get(key) ?? { comparisons: 0, disagreements: 0 };
      tally.comparisons += 1;
      if (outcome === 'disagreed') tally.disagreements += 1;
      this.tallies.set(key, tally);
    }
    if (seconds !== undefined) this.duration.observe(labels, seconds);
  }
}
