import { readdir, stat } from 'node:fs/promises';
import { isValidModelName, parseVersionDirectory, resolveInside } from '../repository/paths.ts';
import { scanRepository } from '../repository/scan.ts';
import { VerifyError } from './verify-error.ts';
import { describeVerdict, verifyVersion, type VersionVerdict } from './verify-version.ts';

/**
 * `modelgate verify`: recomputes the sha256 of every file of every version directory (of
 * every model, or of `--model`) and compares them with the version's manifest.lock.
 * One line per version on stdout, then a summary. Exit status: 0 when every locked version
 * matches its lock, 1 when any drifted or could not be verified, 2 for bad flags, a missing
 * repository or an unknown model (message on stderr).
 */
export interface VerifyFlags {
  modelRepository?: string | undefined;
  model?: string | undefined;
  writeLock?: boolean | undefined;
}

interface VersionDirectory {
  model: string;
  version: number;
  /** Real path, inside the repository; undefined when it resolves outside or dangles (never served, not verified). */
  directory: string | undefined;
}

/** Runs the command; returns the exit status. Unexpected failures propagate. */
export async function runVerifyCommand(flags: VerifyFlags, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const repository = flags.modelRepository ?? './models';
  const writeLock = flags.writeLock === true;
  let models: { model: string; versions: VersionDirectory[] }[];
  try {
    models = await listVersionDirectories(repository, flags.model);
  } catch (error) {
    if (!(error instanceof VerifyError)) throw error;
    err.write(`modelgate verify: ${error.message}\n`);
    return 2;
  }
  const counts: Record<VersionVerdict['status'] | 'skipped', number> = { ok: 0, 'no-lock': 0, locked: 0, drifted: 0, failed: 0, skipped: 0 };
  for (const { model, versions } of models) {
    if (versions.length === 0) out.write(`${model} no version directories\n`);
    for (const { version, directory } of versions) {
      if (directory === undefined) {
        counts.skipped += 1;
        out.write(`${model}/${version} skipped: not a directory inside the model repository (a symlink out of it?); never served\n`);
        continue;
      }
      const verdict = await verifyVersion(directory, { writeLock });
      counts[verdict.status] += 1;
      out.write(`${model}/${version} ${describeVerdict(verdict, writeLock)}\n`);
    }
  }
  const parts = [`${counts.ok} ok`, `${counts.drifted} drifted`, `${counts['no-lock']} without a lock`];
  if (writeLock) parts.push(`${counts.locked} locked now`);
  if (counts.failed > 0) parts.push(`${counts.failed} failed`);
  if (counts.skipped > 0) parts.push(`${counts.skipped} skipped`);
  out.write(`verified ${Object.values(counts).reduce((a, b) => a + b, 0)} versions: ${parts.join(', ')}\n`);
  return counts.drifted > 0 || counts.failed > 0 ? 1 : 0;
}

/**
 * The version directories (positive integers, as the server reads them) of every model of
 * the repository, or of one. A version directory is listed whether or not it holds a
 * model.onnx: a lock whose artifact was deleted must show up as drift.
 */
export async function listVersionDirectories(repository: string, only?: string): Promise<{ model: string; versions: VersionDirectory[] }[]> {
  const info = await stat(repository).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) throw new VerifyError(`--model-repository ${repository}: not a directory`);
  if (only !== undefined && !isValidModelName(only)) {
    throw new VerifyError(`--model "${only}": not a model name (letters, digits, "_", ".", "-"; not hidden, no "..")`);
  }
  const entries = await scanRepository(repository);
  const selected = only === undefined ? entries : entries.filter((e) => e.name === only);
  if (only !== undefined && selected.length === 0) {
    throw new VerifyError(`unknown model "${only}" in ${repository} (models: ${entries.map((e) => e.name).join(', ') || 'none'})`);
  }
  const models: { model: string; versions: VersionDirectory[] }[] = [];
  for (const entry of selected) {
    const versions: VersionDirectory[] = [];
    for (const name of await readdir(entry.directory)) {
      const version = parseVersionDirectory(name);
      if (version === undefined) continue;
      const directory = await resolveInside(repository, entry.name, name);
      if (directory !== undefined && !(await stat(directory)).isDirectory()) continue;
      versions.push({ model: entry.name, version, directory });
    }
    models.push({ model: entry.name, versions: versions.sort((a, b) => a.version - b.version) });
  }
  return models;
}
