import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { runtimeByName } from '../../runtimes/registry.ts';
import type { RuntimeSession } from '../../runtimes/runtime.ts';
import { isValidModelName, parseVersionDirectory, resolveInside } from '../repository/paths.ts';
import { resolveSignature, type ServedSignature } from '../repository/resolve-config.ts';
import { scanRepository } from '../repository/scan.ts';
import { artifactCandidates, artifactNames, checkConfiguredPlatform, PLATFORM_RUNTIME, resolveArtifact } from '../repository/platforms.ts';
import { ProfileError } from './profile-error.ts';

/**
 * The model version a profile is made for, found by the server's own rules (scan.ts,
 * resolve-config.ts): the served signature, an open CPU session to run it in process, and
 * the real path of its version directory, checked to lie inside the repository, where
 * reference.json goes.
 */
export interface ModelTarget {
  model: string;
  version: string;
  /** Real path of `<repo>/<model>/<version>`. */
  versionDirectory: string;
  signature: ServedSignature;
  session: RuntimeSession;
  close(): Promise<void>;
}

export async function openModelTarget(repository: string, model: string, version: string): Promise<ModelTarget> {
  const info = await stat(repository).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) throw new ProfileError(`--model-repository ${repository}: not a directory`);
  if (!isValidModelName(model)) {
    throw new ProfileError(`--model "${model}": not a model name (letters, digits, "_", ".", "-"; not hidden, no "..")`);
  }
  if (parseVersionDirectory(version) === undefined) {
    throw new ProfileError(`--version "${version}": expected a version number (a positive integer without leading zeros)`);
  }

  const entries = await scanRepository(repository);
  const entry = entries.find((e) => e.name === model);
  if (entry === undefined) {
    if (await escapes(repository, [model])) throw outside(`model "${model}"`);
    throw new ProfileError(`unknown model "${model}" in ${repository} (models: ${entries.map((e) => e.name).join(', ') || 'none'})`);
  }
  if (entry.error !== undefined && entry.versions.length === 0) throw new ProfileError(`model "${model}": ${entry.error}`);
  const versionDirectory = await locate(repository, [model, version], `model "${model}" version ${version}`, entry.versions);
  // The server's own rule: the configured platform's file, else the first artifact the version holds.
  const artifact = await resolveArtifact(repository, model, version, entry.config?.platform);
  if (artifact === undefined) {
    for (const file of artifactCandidates(entry.config?.platform)) {
      if (await escapes(repository, [model, version, file])) throw outside(`model "${model}" version ${version}: ${file}`);
    }
    throw new ProfileError(`model "${model}" version ${version}: ${artifactNames(entry.config?.platform)} does not exist`);
  }
  const { path: modelPath, platform } = artifact;
  try {
    await checkConfiguredPlatform(entry.config?.platform, modelPath);
  } catch (error) {
    throw new ProfileError(`model "${model}" version ${version}: ${firstLine(error)}`);
  }
  const file = path.basename(modelPath);
  if (entry.error !== undefined) throw new ProfileError(`model "${model}": ${entry.error}`);

  let session: RuntimeSession;
  try {
    // One intra-op thread: the reference outputs then do not depend on the machine's core count.
    session = await runtimeByName(PLATFORM_RUNTIME[platform]).load({ modelPath, device: 'cpu', intraOpThreads: 1 });
  } catch (error) {
    throw new ProfileError(`model "${model}" version ${version}: ${file} cannot be loaded: ${firstLine(error)}`);
  }
  let signature: ServedSignature;
  try {
    signature = resolveSignature(entry.config, session);
  } catch (error) {
    await session.dispose();
    throw new ProfileError(`model "${model}": ${firstLine(error)}`);
  }
  return { model, version, versionDirectory, signature, session, close: () => session.dispose() };
}

/**
 * The real path of `<repo>/<parts…>`, which must exist and lie inside the repository
 * (symlinks are followed, as the server follows them, and must not lead out).
 */
async function locate(repository: string, parts: string[], what: string, versions?: readonly number[]): Promise<string> {
  const inside = await resolveInside(repository, ...parts);
  if (inside !== undefined) return inside;
  if (await escapes(repository, parts)) throw outside(what);
  const known = versions === undefined ? '' : ` (versions: ${versions.join(', ') || 'none'})`;
  throw new ProfileError(`${what} does not exist${known}`);
}

/** Whether `<repo>/<parts…>` exists but its real path lies outside the repository. */
async function escapes(repository: string, parts: string[]): Promise<boolean> {
  const exists = await realpath(path.join(repository, ...parts)).then(() => true, () => false);
  return exists && (await resolveInside(repository, ...parts)) === undefined;
}

function outside(what: string): ProfileError {
  return new ProfileError(`${what} resolves outside the model repository (a symlink?); refusing to use it`);
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0] as string;
}
