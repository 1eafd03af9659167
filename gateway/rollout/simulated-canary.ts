import { Rng } from '../monitoring/drift/simulated-traffic.ts';
import { decide, type Decision } from './decide.ts';
import type { Observations, VersionObservations } from './observations.ts';
import type { HistogramBucket } from './quantiles.ts';
import type { RolloutSpec } from './rollout-spec.ts';
import type { RolloutState } from './rollout-state.ts';
import { applyDecision, startRollout } from './transitions.ts';

/**
 * Seeded synthetic canary traffic for the decision tests: two versions with known error
 * rates, latency distributions and output distributions, observed over a window the way
 * the controller would, and a driver that runs the controller loop on an injected clock.
 * Deterministic for a seed.
 */

export interface SimulatedVersion {
  errorRate: number;
  /** Latency is lognormal: median 50 ms × scale, σ = 0.3 in log space (p99 ≈ 2 × median). */
  latencyScale: number;
  /** Probability of each output class. */
  outputShares: readonly number[];
}

export interface SimulatedCanary {
  /** Requests per second reaching the model, split by the rollout's weight. */
  rps: number;
  baseline: SimulatedVersion;
  candidate: SimulatedVersion;
  inputDrift: number | null;
  /** Share of the baseline's requests mirrored to the candidate (0: no shadow). */
  shadowShare: number;
  /** Share of shadowed requests where the candidate answers differently. */
  disagreementRate: number;
  /** Report latency as histogram buckets (Prometheus) instead of raw samples (in-process). */
  histograms: boolean;
}

export const SAME = { errorRate: 0.01, latencyScale: 1, outputShares: [0.5, 0.3, 0.2] } as const satisfies SimulatedVersion;

export function canary(overrides: Partial<SimulatedCanary> = {}): SimulatedCanary {
  return { rps: 20, baseline: SAME, candidate: SAME, inputDrift: 0.02, shadowShare: 0, disagreementRate: 0, histograms: false, ...overrides };
}

/** Bucket bounds 5 ms × 1.2^k up to ~2 s, then +Inf: fine enough to place a p99. */
const BOUNDS = [...Array.from({ length: 33 }, (_, k) => 0.005 * 1.2 ** k), Number.POSITIVE_INFINITY];

function toBuckets(latencies: readonly number[]): HistogramBucket[] {
  return BOUNDS.map((le) => ({ le, count: latencies.filter((x) => x <= le).length }));
}

interface VersionTraffic {
  requests: number;
  errors: number;
  latencies: number[];
  outputs: number[];
}

const emptyTraffic = (v: SimulatedVersion): VersionTraffic => ({ requests: 0, errors: 0, latencies: [], outputs: v.outputShares.map(() => 0) });

function serve(rng: Rng, v: SimulatedVersion, into: VersionTraffic, requests: number): void {
  for (let i = 0; i < requests; i++) {
    into.requests++;
    if (rng.next() < v.errorRate) into.errors++;
    into.latencies.push(0.05 * v.latencyScale * Math.exp(0.3 * rng.normal()));
    into.outputs[rng.pick(v.outputShares)]! += 1;
  }
}

/**
 * The traffic of one observation window, growing as time passes: consecutive looks at a
 * step share their earlier data, as the controller's windows do (they all start at the
 * step's start), so repeated looks are not independent draws.
 */
export class SimulatedWindow {
  private readonly baseline: VersionTraffic;
  private readonly candidate: VersionTraffic;
  private comparisons = 0;
  private disagreements = 0;

  constructor(private readonly rng: Rng, private readonly c: SimulatedCanary) {
    this.baseline = emptyTraffic(c.baseline);
    this.candidate = emptyTraffic(c.candidate);
  }

  /** `seconds` more traffic at `weight` percent to the candidate (plus the shadow copies). */
  add(seconds: number, weight: number): this {
    const { rng, c } = this;
    const baselineRequests = Math.round(c.rps * (1 - weight / 100) * seconds);
    const shadowed = Math.round(baselineRequests * c.shadowShare);
    serve(rng, c.baseline, this.baseline, baselineRequests);
    serve(rng, c.candidate, this.candidate, Math.round(c.rps * (weight / 100) * seconds) + shadowed);
    this.comparisons += shadowed;
    for (let i = 0; i < shadowed; i++) if (rng.next() < c.disagreementRate) this.disagreements++;
    return this;
  }

  observe(): Observations {
    const version = (t: VersionTraffic): VersionObservations => ({
      requests: t.requests,
      errors: t.errors,
      latency: this.c.histograms ? { buckets: toBuckets(t.latencies) } : { samples: [...t.latencies] },
      outputs: { label: [...t.outputs] },
    });
    return {
      baseline: version(this.baseline),
      candidate: version(this.candidate),
      candidateInputDrift: this.c.inputDrift,
      shadow: this.c.shadowShare > 0 ? { comparisons: this.comparisons, disagreements: this.disagreements } : null,
    };
  }
}

/** What the controller would observe over `seconds` of traffic at `weight` percent to the candidate. */
export function observeWindow(rng: Rng, c: SimulatedCanary, weight: number, seconds: number): Observations {
  return new SimulatedWindow(rng, c).add(seconds, weight).observe();
}

export interface RolloutRun {
  state: RolloutState;
  /** Every decision taken, 'wait' included, with its time in seconds since the start. */
  decisions: (Decision & { atSeconds: number })[];
}

/**
 * The controller loop: every `tickSeconds` observe the current step's window, decide, apply.
 * Stops when the rollout leaves 'running' (or after `maxSeconds`). T0 is an arbitrary epoch;
 * the window restarts whenever the state's `stepStartedAt` does.
 */
export function runRollout(spec: RolloutSpec, c: SimulatedCanary, options: { seed?: number; tickSeconds?: number; maxSeconds?: number } = {}): RolloutRun {
  const rng = new Rng(options.seed ?? 1);
  const tick = options.tickSeconds ?? 60;
  const t0 = Date.UTC(2025, 0, 1);
  let state = startRollout(spec, t0);
  let window = new SimulatedWindow(rng, c);
  const decisions: RolloutRun['decisions'] = [];
  for (let s = tick; s <= (options.maxSeconds ?? 4 * 3600) && state.status === 'running'; s += tick) {
    const now = t0 + s * 1000;
    const decision = decide(state, window.add(tick, state.weight).observe(), now);
    decisions.push({ ...decision, atSeconds: s });
    const next = applyDecision(state, decision, now);
    if (next.stepStartedAt !== state.stepStartedAt) window = new SimulatedWindow(rng, c); // a new step, a new window
    state = next;
  }
  return { state, decisions };
}
