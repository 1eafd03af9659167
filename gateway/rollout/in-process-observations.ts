import type { ModelRegistry } from '../models/model-registry.ts';
import type { ModelVersion } from '../models/model-version.ts';
import type { ShadowMetrics } from '../monitoring/shadow-metrics.ts';
import type { Observations, VersionObservations } from './observations.ts';
import type { RolloutState } from './rollout-state.ts';

/**
 * Observations for a rollout step from this process's own records: each
 * version's request log since the step started, the candidate's input drift
 * (largest JS distance over its monitored features), both versions' output
 * histograms from their drift monitors, and the shadow comparisons since the
 * step started.
 */
export function observeInProcess(
  registry: ModelRegistry,
  shadowMetrics: ShadowMetrics,
  state: RolloutState,
): Observations | undefined {
  const model = registry.model(state.spec.model);
  const baseline = model.versions.get(state.spec.baseline);
  const candidate = model.versions.get(state.spec.candidate);
  if (baseline === undefined || candidate === undefined) return undefined;
  const drift = candidate.monitor?.inputs.verdict();
  const driftScores = drift?.features.filter((f) => f.status !== 'insufficient_data').map((f) => f.scores.js) ?? [];
  const shadow = shadowMetrics.since(state.spec.model, state.spec.candidate, state.stepStartedAt);
  return {
    baseline: versionObservations(baseline, state.stepStartedAt),
    candidate: versionObservations(candidate, state.stepStartedAt),
    candidateInputDrift: driftScores.length > 0 ? Math.max(...driftScores) : null,
    shadow: state.spec.shadow === undefined || shadow.comparisons === 0 ? null : shadow,
  };
}

function versionObservations(version: ModelVersion, since: number): VersionObservations {
  const window = version.requestLog.since(since);
  const outputs: Record<string, number[]> = {};
  const side = version.monitor?.outputs;
  if (side !== undefined) {
    const counts = side.window.read(); // one read for every output
    side.features.forEach((feature, index) => {
      outputs[feature.name] = Array.from(counts.histogram(index));
    });
  }
  return {
    requests: window.requests,
    errors: window.errors,
    latency: { samples: window.latencies },
    ...(side === undefined ? {} : { outputs }),
  };
}
