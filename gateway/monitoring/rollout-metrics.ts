import { Gauge, type Registry } from 'prom-client';
import type { RolloutController } from '../rollout/controller.ts';
import { gateThreshold } from '../rollout/gates.ts';
import { GATE_NAMES } from '../rollout/rollout-spec.ts';
import { ROLLOUT_STATUSES, type RolloutState } from '../rollout/rollout-state.ts';

const GATE_VALUE = { pass: 1, inconclusive: 0, fail: -1 } as const;

/**
 * `modelgate_rollout_*`: each rollout's step, weights, status, transitions and the gates
 * of the controller's last decision, read at scrape time. Labels are bounded: `model`,
 * `version` and `role` (baseline, candidate), `status`, `gate` (GATE_NAMES) and
 * `action` (TRANSITIONS). Gate values are dimensionless; see the help texts for each gate's.
 */
export function registerRolloutMetrics(registry: Registry, controller: () => RolloutController | undefined): void {
  const gauge = (name: string, help: string, labelNames: string[], fill: (set: (labels: Record<string, string>, value: number) => void) => void) =>
    new Gauge({ name, help, labelNames, registers: [registry], collect() { this.reset(); fill((l, v) => this.set(l, v)); } });
  const rollouts = () => controller()?.all() ?? [];
  /** The verdicts of the last decision that judged gates (none before the first, or while samples are collected). */
  const lastGates = (r: RolloutState) => controller()?.status(r.spec.model)?.decision?.gates ?? [];
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
    for (const r of rollouts()) for (const v of lastGates(r)) set({ model: r.spec.model, gate: v.gate }, GATE_VALUE[v.status]);
  });
  gauge(
    'modelgate_rollout_gate_value',
    'What each gate measured at the last decision (dimensionless), against modelgate_rollout_gate_threshold: '
      + 'error_ratio candidate minus baseline error ratio; latency_p99 candidate p99 / baseline p99; latency_test p-value (fails below the threshold); '
      + 'input_drift and output_divergence Jensen-Shannon distance; shadow_disagreement share of compared mirrored requests. Absent when not measurable.',
    ['model', 'gate'],
    (set) => {
      for (const r of rollouts()) for (const v of lastGates(r)) if (v.value !== null) set({ model: r.spec.model, gate: v.gate }, v.value);
    },
  );
  gauge('modelgate_rollout_gate_threshold', 'The limit each configured gate holds modelgate_rollout_gate_value against, from the rollout spec.', ['model', 'gate'], (set) => {
    for (const r of rollouts()) {
      for (const gate of GATE_NAMES) {
        const threshold = gateThreshold(r.spec, gate);
        if (threshold !== undefined) set({ model: r.spec.model, gate }, threshold);
      }
    }
  });
  gauge('modelgate_rollout_last_transition_timestamp_seconds', 'When each kind of transition last happened in the model\'s current rollout (start, advance, promote, rollback, pause, resume, abort).', ['model', 'action'], (set) => {
    for (const r of rollouts()) {
      const last = new Map<string, number>();
      for (const entry of r.history) last.set(entry.action, entry.at);
      for (const [action, at] of last) set({ model: r.spec.model, action }, at / 1000);
    }
  });
}
