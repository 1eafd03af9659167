// Bundles the TypeScript sources into dist/ (cli.js and the pool's worker.js)
// with esbuild, when dist/ is missing or older than any source file.
// Running from the bundle starts several times faster than through tsx: every
// worker thread would otherwise load the TypeScript loader and compile the sources.
import { build } from 'esbuild';
import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const SOURCES = ['gateway', 'runtimes'];

function newestSource() {
  let newest = statSync(path.join(root, 'package.json')).mtimeMs;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|js)$/.test(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  // An install without the sources (e.g. the Docker image) runs the dist/ it ships.
  for (const dir of SOURCES) {
    try {
      walk(path.join(root, dir));
    } catch {
      return -1;
    }
  }
  return newest;
}

function builtAt() {
  try {
    return Math.min(statSync(path.join(dist, 'cli.js')).mtimeMs, statSync(path.join(dist, 'worker.js')).mtimeMs);
  } catch {
    return -1;
  }
}

/** Builds dist/ when it is stale; returns the path of the CLI module. */
export async function ensureBuilt() {
  if (builtAt() < newestSource() || builtAt() < 0) {
    // Build into a private folder, then rename each file into dist/: a process that starts
    // while another one builds never imports half a file (renames are atomic).
    const staging = path.join(dist, `.build-${process.pid}-${Date.now()}`);
    await build({
      entryPoints: { cli: path.join(root, 'gateway/cli.ts'), worker: path.join(root, 'runtimes/worker.ts') },
      outdir: staging,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: 'linked',
      logLevel: 'warning',
    });
    // The worker first: cli.js is what a starting process looks for.
    for (const file of ['worker.js.map', 'worker.js', 'cli.js.map', 'cli.js']) {
      renameSync(path.join(staging, file), path.join(dist, file));
    }
    rmSync(staging, { recursive: true, force: true });
  }
  return path.join(dist, 'cli.js');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await ensureBuilt();
