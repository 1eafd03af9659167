import type { ModelRegistry } from '../models/model-registry.ts';
import type { ShadowMetrics } from '../monitoring/shadow-metrics.ts';
import type { RolloutEnvironment } from './controller.ts';
import { observeInProcess } from './in-process-observations.ts';

/** A gateway's own rollout environment: its records, and its registry's traffic policies. */
export function inProcessEnvironment(registry: ModelRegistry, shadowMetrics: ShadowMetrics): RolloutEnvironment {
  return {
    root: registry.root,
    models: async () => registry.list().map((m) => ({ name: m.entry.name, directory: m.entry.directory })),
    observe: async (state) => observeInProcess(registry, shadowMetrics, state),
    route: async (spec, versions, shadow) => {
      await registry.setTraffic(spec.model, shadow === undefined ? { versions } : { versions, shadow });
    },
  };
}
