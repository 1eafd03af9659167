import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { TRAFFIC_POLICY, type ModelRegistry } from '../models/model-registry.ts';

/**
 * Applies edits of `<model>/traffic.yaml` within about a second, in every model
 * control mode: with several replicas, one writer (a person, CI, or
 * `modelgate rollout-controller`) changes the file and every replica follows.
 * Checks the file's mtime and size only; a bad file is logged and the previous policy stays.
 */
export class TrafficWatcher {
  private readonly seen = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;
  private running = false;

  constructor(private readonly registry: ModelRegistry, private readonly log: Logger, intervalMs = 1000) {
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One pass (also called by tests). */
  async check(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const model of this.registry.list()) {
        const name = model.entry.name;
        const print = await stat(path.join(model.entry.directory, TRAFFIC_POLICY)).then((s) => `${s.mtimeMs}:${s.size}`, () => 'absent');
        const before = this.seen.get(name);
        this.seen.set(name, print);
        if (before === undefined || before === print) continue;
        await this.registry.refreshTraffic(name).catch((error: Error) => this.log.error({ model: name, reason: error.message }, 'traffic policy not applied'));
      }
    } finally {
      this.running = false;
    }
  }
}
