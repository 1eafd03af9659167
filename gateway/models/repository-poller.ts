import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ModelRegistry } from './model-registry.ts';
import { isValidModelName } from '../repository/paths.ts';

/**
 * Poll mode (Triton's `--model-control-mode=poll`): rescans the repository on
 * an interval and reloads a model whose files changed, unloads one whose
 * folder disappeared, loads a new one.
 *
 * A half-written version is never served: a change is acted on only once the
 * model's fingerprint (every file's path, size and mtime) is the same on two
 * consecutive polls. Publishers should still write a version elsewhere and
 * rename it into place (README "Publishing a new version"); the stability
 * check is the safety net for a copy made in place.
 */
export class RepositoryPoller {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** Fingerprint acted on last, per model. */
  private readonly applied = new Map<string, string>();
  /** Fingerprint seen on the previous poll, per model. */
  private readonly seen = new Map<string, string>();

  private constructor(private readonly registry: ModelRegistry, private readonly log: Logger) {}

  static start(registry: ModelRegistry, seconds: number, log: Logger): RepositoryPoller {
    const poller = new RepositoryPoller(registry, log);
    // What is loaded at start counts as applied.
    void poller.fingerprints().then((now) => {
      for (const [name, print] of now) {
        poller.applied.set(name, print);
        poller.seen.set(name, print);
      }
      poller.timer = setInterval(() => void poller.poll(), seconds * 1000);
      poller.timer.unref();
    });
    return poller;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One pass; exported for tests. Overlapping passes are skipped. */
  async poll(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const now = await this.fingerprints();
      for (const [name, print] of now) {
        const stable = this.seen.get(name) === print;
        this.seen.set(name, print);
        if (!stable || this.applied.get(name) === print) continue;
        this.applied.set(name, print);
        this.log.info({ model: name }, 'repository changed: loading');
        await this.registry.load(name).catch((error: Error) => this.log.error({ model: name, err: error.message }, 'poll load failed'));
      }
      for (const name of [...this.applied.keys()]) {
        if (now.has(name)) continue;
        this.applied.delete(name);
        this.seen.delete(name);
        this.log.info({ model: name }, 'model folder removed: unloading');
        await this.registry.unload(name).catch((error: Error) => this.log.error({ model: name, err: error.message }, 'poll unload failed'));
      }
    } finally {
      this.running = false;
    }
  }

  /** Per model folder: a string of every file's relative path, size and mtime. */
  private async fingerprints(): Promise<Map<string, string>> {
    const prints = new Map<string, string>();
    for (const entry of await readdir(this.registry.root, { withFileTypes: true })) {
      if (!entry.isDirectory() || !isValidModelName(entry.name)) continue;
      const files: string[] = [];
      await walk(path.join(this.registry.root, entry.name), '', files);
      prints.set(entry.name, files.sort().join('\n'));
    }
    return prints;
  }
}

async function walk(dir: string, prefix: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return; // removed while scanning: the next poll sees the new state
  }
  for (const entry of entries) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) await walk(path.join(dir, entry.name), relative, out);
    else {
      try {
        const info = await stat(path.join(dir, entry.name));
        out.push(`${relative} ${info.size} ${info.mtimeMs}`);
      } catch {
        // vanished between readdir and stat
      }
    }
  }
}
