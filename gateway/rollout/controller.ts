import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../repository/atomic-write.ts';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ModelRegistry } from '../models/model-registry.ts';
import type { ShadowMetrics } from '../monitoring/shadow-metrics.ts';
import type { AuditLog } from '../management/audit-log.ts';
import { resolveInside } from '../repository/paths.ts';
import { decide, type Decision } from './decide.ts';
import { observeInProcess } from './in-process-observations.ts';
import { parseRolloutSpec } from './rollout-spec.ts';
import { isTerminal, parseRolloutState, type RolloutState } from './rollout-state.ts';
import { abort, applyDecision, pause, promoteNow, resume, startRollout } from './transitions.ts';

/** A model's rollout state, beside its config.yaml: it survives a restart. */
export const ROLLOUT_STATE = 'rollout.json';

export type Command = 'pause' | 'resume' | 'abort' | 'promote';

/**
 * The in-process rollout controller (single-process mode): on every tick it
 * observes each live rollout, asks the pure `decide()` what to do, applies the
 * transition, writes the traffic policy that follows from it, persists the state
 * and audits the change. Ticks take the clock as an argument, so tests drive time.
 */
export class RolloutController {
  private readonly rollouts = new Map<string, RolloutState>();
  private readonly lastDecision = new Map<string, Decision>();
  /** Shadow comparisons counted when the current step began, per model. */
  private readonly shadowBase = new Map<string, { step: number; at: number; comparisons: number; disagreements: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly registry: ModelRegistry,
    private readonly shadowMetrics: ShadowMetrics,
    private readonly audit: AuditLog,
    private readonly log: Logger,
  ) {}

  /** Resumes the rollouts persisted in the repository, then ticks every `seconds`. */
  async start(seconds: number): Promise<void> {
    for (const model of this.registry.list()) {
      const file = await resolveInside(this.registry.root, model.entry.name, ROLLOUT_STATE);
      if (file === undefined) continue;
      try {
        const state = parseRolloutState(JSON.parse(await readFile(file, 'utf8')), `${model.entry.name}/${ROLLOUT_STATE}`);
        this.rollouts.set(state.spec.model, state);
        this.log.info({ model: state.spec.model, status: state.status, step: state.step, weight: state.weight }, 'rollout resumed from disk');
      } catch (error) {
        this.log.error({ model: model.entry.name, reason: (error as Error).message }, 'rollout state not loaded');
      }
    }
    this.timer = setInterval(() => void this.tick(Date.now()), seconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  status(model: string): { state: RolloutState; decision: Decision | undefined } | undefined {
    const state = this.rollouts.get(model);
    return state === undefined ? undefined : { state, decision: this.lastDecision.get(model) };
  }

  all(): RolloutState[] {
    return [...this.rollouts.values()];
  }

  /** Declares and starts a rollout; refuses a model that has a live one. */
  async begin(raw: unknown, who: string, now = Date.now()): Promise<RolloutState> {
    const spec = parseRolloutSpec(raw, 'rollout');
    const current = this.rollouts.get(spec.model);
    if (current !== undefined && !isTerminal(current.status)) throw new Error(`model "${spec.model}" already has a ${current.status} rollout`);
    return this.commit(startRollout(spec, now, `started by ${who}`), who);
  }

  async command(model: string, command: Command, who: string, now = Date.now()): Promise<RolloutState> {
    const state = this.rollouts.get(model);
    if (state === undefined) throw new Error(`model "${model}" has no rollout`);
    const reason = `${command} by ${who}`;
    const next = { pause, resume, abort, promote: promoteNow }[command](state, now, reason);
    return this.commit(next, who);
  }

  /** One decision round for every live rollout. */
  async tick(now: number): Promise<void> {
    for (const state of this.rollouts.values()) {
      if (isTerminal(state.status)) continue;
      const observations = observeInProcess(this.registry, this.shadowMetrics, state, this.shadowAtStep(state));
      if (observations === undefined) continue;
      const decision = decide(state, observations, now);
      this.lastDecision.set(state.spec.model, decision);
      const next = applyDecision(state, decision, now);
      if (next !== state) await this.commit(next, 'controller');
    }
  }

  private shadowAtStep(state: RolloutState): { comparisons: number; disagreements: number } {
    const base = this.shadowBase.get(state.spec.model);
    if (base !== undefined && base.step === state.step && base.at === state.stepStartedAt) return base;
    const fresh = { step: state.step, at: state.stepStartedAt, ...this.shadowMetrics.tally(state.spec.model, state.spec.candidate) };
    this.shadowBase.set(state.spec.model, fresh);
    return fresh;
  }

  /** Applies a new state: traffic policy first, then the state file, the audit trail and the log. */
  private async commit(next: RolloutState, who: string): Promise<RolloutState> {
    const { spec } = next;
    const live = !isTerminal(next.status);
    const versions = [
      { version: spec.baseline, weight: 100 - next.weight },
      { version: spec.candidate, weight: next.weight },
    ].filter((v) => v.weight > 0);
    const shadow = live && spec.shadow !== undefined ? { version: spec.candidate, share: spec.shadow.share } : undefined;
    await this.registry.setTraffic(spec.model, shadow === undefined ? { versions } : { versions, shadow });
    const model = this.registry.model(spec.model);
    await writeFileAtomic(path.join(model.entry.directory, ROLLOUT_STATE), JSON.stringify(next, null, 2));
    this.rollouts.set(spec.model, next);
    const entry = next.history[next.history.length - 1];
    this.audit.record({ who, action: `rollout ${entry?.action ?? 'update'}`, model: spec.model, result: 'ok', detail: `${next.status} step ${next.step} weight ${next.weight}: ${entry?.reason ?? ''}` });
    return next;
  }
}
