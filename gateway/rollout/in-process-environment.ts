import type { ModelRegistry } from '../models/model-registry.ts';
import type { ShadowMetrics } from '../monitoring/shadow-metrics.ts';
import type { RolloutEnvironment } from './controller.ts';
import { observeInProcess } from './in-process-observations.ts';
import type { RolloutState } from './rollout-state.ts';

/** A gateway's own rollout environment: its records, and its registry's traffic policies. */
export function inProcessEnvironment(registry: ModelRegistry, shadowMetrics: ShadowMetrics): RolloutEnvironment {
  /** Shadow comparisons counted when each model's current step began. */
  const shadowBase = new Map<string, { step: number; at: number; comparisons: number; disagreements: number }>();
  const shadowAtStep = (state: RolloutState) => {
    const base = shadowBase.get(state.spec.model);
    if (base !== undefined && base.step === state.step && base.at === state.stepStartedAt) return base;
    const fresh = { step: state.step, at: state.stepStartedAt, ...shadowMetrics.tally(state.spec.model, state.spec.candidate) };
    shadowBase.set(state.spec.model, fresh);
    return fresh;
  };
  return {
    root: registry.root,
    models: async () => registry.list().map((m) => ({ name: m.entry.name, directory: m.entry.directory })),
    observe: async (state) => observeInProcess(registry, shadowMetrics, state, shadowAtStep(state)),
    route: async (spec, versions, shadow) => {
      await registry.setTraffic(spec.model, shadow === undefined ? { versions } : { versions, shadow });
    },
  };
}
