import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { REPO_ROOT } from './processes.ts';

/** What a report records about where it was measured, so that runs can be compared. */

export interface Environment {
  node: string;
  onnxruntimeNode: string;
  piscina: string;
  autocannon: string;
  hono: string;
  /** CPU model × usable cores. */
  cpu: string;
  os: string;
}

async function packageVersion(name: string): Promise<string> {
  const text = await readFile(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8').catch(() => '{}');
  return (JSON.parse(text) as { version?: string }).version ?? 'unknown';
}

export async function describeEnvironment(): Promise<Environment> {
  return {
    node: process.version,
    onnxruntimeNode: await packageVersion('onnxruntime-node'),
    piscina: await packageVersion('piscina'),
    autocannon: await packageVersion('autocannon'),
    hono: await packageVersion('hono'),
    cpu: `${os.cpus()[0]?.model ?? 'unknown'} × ${os.availableParallelism()}`,
    os: `${os.platform()} ${os.release()}`,
  };
}

/**
 * The commit under test and how far the working tree is from it (others may be
 * editing it while the bench runs). Read-only git, without optional index locks.
 * MODELGATE_BENCH_TREE, when set, is reported instead (a run outside a checkout).
 */
export async function treeState(): Promise<string> {
  // A run from an exported snapshot (e.g. `git archive`) says what it is a snapshot of.
  const declared = process.env.MODELGATE_BENCH_TREE;
  if (declared !== undefined && declared !== '') return declared;
  const git = (args: string[]): Promise<string | undefined> =>
    promisify(execFile)('git', ['--no-optional-locks', ...args], { cwd: REPO_ROOT }).then((r) => r.stdout.trim(), () => undefined);
  const head = await git(['rev-parse', '--short', 'HEAD']);
  if (head === undefined) return 'not a git checkout';
  const changed = ((await git(['status', '--porcelain'])) ?? '').split('\n').filter((l) => l.length > 3 && !l.slice(3).startsWith('bench/'));
  return changed.length === 0 ? `commit ${head}` : `commit ${head} + ${changed.length} changed or untracked paths outside bench/`;
}

/** 1-minute, 5-minute and 15-minute load averages, 2 decimals. */
export function loadAverage(): number[] {
  return os.loadavg().map((x) => Number(x.toFixed(2)));
}
