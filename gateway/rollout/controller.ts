import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../repository/atomic-write.ts';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AuditLog } from '../management/audit-log.ts';
import { resolveInside } from '../repository/paths.ts';
import { decide, type Decision } from './decide.ts';
import type { Observations } from './observations.ts';
import { parseRolloutSpec, type RolloutSpec } from './rollout-spec.ts';
import { isTerminal, parseRolloutState, type RolloutState } from './rollout-state.ts';
import { abort, applyDecision, pause, promoteNow, resume, startRollout } from './transitions.ts';

/** A model's rollout state, beside its config.yaml: it survives a restart. */
export const ROLLOUT_STATE = 'rollout.json';

export type Command = 'pause' | 'resume' | 'abort' | 'promote';

/**
 * Where a controller gets its facts and how it acts: in a gateway, the process's own
 * records and its registry; in `modelgate rollout-controller`, Prometheus and the
 * repository's traffic.yaml files that every replica watches. The decisions are the same.
 */
export interface RolloutEnvironment {
  /** The repository root and the models it holds (folder name → real directory). */
  root: string;
  models(): Promise<{ name: string; directory: string }[]>;
  observe(state: RolloutState, now: number): Promise<Observations | undefined>;
  /** Routes `versions` (percent weights) and an optional shadow for a model. */
  route(spec: RolloutSpec, versions: { version: number; weight: number }[], shadow: { version: number; share: number } | undefined): Promise<void>;
}

/**
 * The in-process rollout controller (single-process mode): on every tick it
 * observes each live rollout, asks the pure `decide()` what to do, applies the
 * transition, writes the traffic policy that follows from it, persists the state
 * and audits the change. Ticks take the clock as an argument, so tests drive time.
 */
export class RolloutController {
  private readonly rollouts = new Map<string, RolloutState>();
  private readonly lastDecision = new Map<string, Decision>();
  private readonly directories = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly environment: RolloutEnvironment,
    private readonly audit: AuditLog,
    private readonly log: Logger,
  ) {}

  /** Resumes the rollouts persisted in the repository; then, unless `seconds` is 0, ticks every `seconds`. */
  async start(seconds: number): Promise<void> {
    await this.reload();
    if (seconds > 0) {
      this.timer = setInterval(() => void this.tick(Date.now()), seconds * 1000);
      this.timer.unref();
    }
  }

  /** Reads every `<model>/rollout.json` (a rollout declared by another process appears here). */
  async reload(): Promise<void> {
    for (const model of await this.environment.models()) {
      this.directories.set(model.name, model.directory);
      const file = await resolveInside(this.environment.root, model.name, ROLLOUT_STATE);
      if (file === undefined) continue;
      try {
        const state = parseRolloutState(JSON.parse(await readFile(file, 'utf8')), `${model.name}/${ROLLOUT_STATE}`);
        const known = this.rollouts.get(state.spec.model);
        if (known !== undefined && known.history.length >= state.history.length) continue;
        this.rollouts.set(state.spec.model, state);
        this.log.info({ model: state.spec.model, status: state.status, step: state.step, weight: state.weight }, 'rollout loaded from disk');
      } catch (error) {
        this.log.error({ model: model.name, reason: (error as Error).message }, 'rollout state not loaded');
      }
    }
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
      const observations = await this.environment.observe(state, now);
      if (observations === undefined) continue;
      const decision = decide(state, observations, now);
      this.lastDecision.set(state.spec.model, decision);
      const next = applyDecision(state, decision, now);
      if (next !== state) await this.commit(next, 'controller');
    }
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
    await this.environment.route(spec, versions, shadow);
    if (!this.directories.has(spec.model)) for (const m of await this.environment.models()) this.directories.set(m.name, m.directory);
    const directory = this.directories.get(spec.model);
    if (directory === undefined) throw new Error(`model "${spec.model}" is not in the repository`);
    await writeFileAtomic(path.join(directory, ROLLOUT_STATE), JSON.stringify(next, null, 2));
    this.rollouts.set(spec.model, next);
    const entry = next.history[next.history.length - 1];
    this.audit.record({ who, action: `rollout ${entry?.action ?? 'update'}`, model: spec.model, result: 'ok', detail: `${next.status} step ${next.step} weight ${next.weight}: ${entry?.reason ?? ''}` });
    return next;
  }
}
