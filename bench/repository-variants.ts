import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';

/**
 * Model repositories derived from a committed one at run time (in the OS temp
 * directory, removed when the harness exits), so a scenario can serve the same
 * models under another configuration without touching the repository.
 */

const made = new Map<string, Promise<string>>();
const cleanup: string[] = [];
process.once('exit', () => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

/**
 * A copy of `source` whose config.yaml files have no `dynamic_batching`: the
 * gateway then dispatches every request alone (one worker task per request).
 */
export function withoutDynamicBatching(source: string): Promise<string> {
  let copy = made.get(source);
  if (copy === undefined) {
    copy = (async () => {
      const target = await mkdtemp(path.join(os.tmpdir(), 'modelgate-bench-nobatch-'));
      cleanup.push(target);
      await cp(source, target, { recursive: true });
      for (const entry of await readdir(target, { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        const file = path.join(target, entry.name, 'config.yaml');
        const text = await readFile(file, 'utf8').catch(() => undefined);
        if (text === undefined) continue;
        const document = parseDocument(text);
        if (!document.has('dynamic_batching')) continue;
        document.delete('dynamic_batching');
        await writeFile(file, document.toString());
      }
      return target;
    })();
    made.set(source, copy);
  }
  return copy;
}
