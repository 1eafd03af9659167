import { Gauge, type Registry } from 'prom-client';
import type { RolloutController } from '../rollout/controller.ts';
import { ROLLOUT_STATUSES } from '../rollout/rollout-state.ts';

const GATE_VALUE = { pass: 1, inconclusive: 0, fail: -1 } as const;

/** `modelgate_rollout_*`: each rollout's step, weights, status and last gate verdicts, read at scrape time. */
export function registerRolloutMetrics(registry: Registry, controller: () => RolloutController | undefined): void {
  const gauge = (name: string, help: string, labelNames: string[], fill: (set: (labels: Record<string, string>, value: number) => void) => void) =>
    new Gauge({ name, help, labelNames, registers: [registry], collect() { this.reset(); fill((l, v) => this.set(l, v)); } });
  const rollouts = () => controller()?.all() ?? [];
  gauge('modelgate_rollout_step', 'Index of the current rollout step.', ['model'], (set) => {
    for (const r of rollouts()) set({ model: r.spec.model }, r.step);
  });
  gauge('modelgate_rollout_weight', 'Percent of traffic routed to each version by the rollout.', ['model', 'version', 'role'], (set) => {
    for (const r of rollouts()) {
      set({ model: r.spec.model, version: String(r.spec.candidate), role: 'candidate' }, r.weight);
      set({ model: r.spec.model, version: String(r.spec.baseline), role: 'baseline' }, 100 - r.weight);
    }
  });
  gauge('modelgate_rollout_status', 'Rollout status: 1 for the current one.', ['model', 'status'], (set) => {
    for (const r of rollouts()) for (const status of ROLLOUT_STATUSES) set({ model: r.spec.model, status }, r.status === status ? 1 : 0);
  });
  gauge('modelgate_rollout_gate_status', 'Last verdict per gate: 1 pass, 0 inconclusive, -1 fail.', ['model', 'gate'], (set) => {
    for (const r of rollouts()) {
      for (const gate of controller()?.status(r.spec.model)?.decision?.gates ?? []) set({ model: r.spec.model, gate: gate.gate }, GATE_VALUE[gate.status]);
    }
  });
}
