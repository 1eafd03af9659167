import { writeFileAtomic } from './atomic-write.ts';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { PoolPlacement } from '../../runtimes/pool.ts';
import { describeConfigIssues } from './model-config.ts';

/**
 * What exactly a version directory holds, and a publisher's record of what it should hold.
 *
 * - `VersionManifest`: built when a version loads: sha256 and size of every file of the
 *   version directory, the hash of its parsed config, the runtime and provider it runs on.
 * - `manifest.lock`: optional, written by the publisher (`modelgate verify --write-lock`):
 *   `{"files": {"model.onnx": {"sha256": "…", "size": 123}, …}}`. When present, the files
 *   on disk must match it exactly (no file missing, none extra, same sizes and hashes) or
 *   the version refuses to load.
 *
 * Paths are relative to the version directory, with POSIX separators, sorted by UTF-16 code
 * units (locale-independent). Messages name files by these relative paths only, never by
 * absolute paths (load failures are shown to clients).
 */

export const MANIFEST_LOCK = 'manifest.lock';

export interface ManifestFile {
  /** Relative to the version directory, POSIX separators. */
  path: string;
  /** Lower-case hex. */
  sha256: string;
  /** Bytes. */
  size: number;
}

export interface VersionManifest {
  model: string;
  version: number;
  /** Every file of the version directory (but manifest.lock and hidden `.tmp` files), sorted by path. */
  files: ManifestFile[];
  /** sha256 of the canonical lock text of `files` (see `formatLock`): one digest for the whole version. */
  contentSha256: string;
  /** sha256 of the canonical JSON of the parsed config.yaml; "none" without one. */
  configSha256: string;
  runtime: string;
  runtimeVersion: string;
  executionProvider: string;
  /** Where the workers run: one entry per device (instance_group after placement). */
  instances?: PoolPlacement[];
  /** When the manifest was built (ISO 8601, UTC). */
  loadedAt: string;
}

export interface ManifestContext {
  model: string;
  version: number;
  runtime: string;
  runtimeVersion: string;
  executionProvider: string;
  instances?: PoolPlacement[];
  /** The parsed config.yaml, or undefined when the model has none. */
  config: unknown;
}

/** Hashes every file of the version directory, then describes the version. */
export async function buildManifest(versionDir: string, context: ManifestContext): Promise<VersionManifest> {
  return describeVersion(await hashVersionFiles(versionDir), context);
}

/** A manifest from files already hashed (by `hashVersionFiles`). Pure but for the clock. */
export function describeVersion(files: readonly ManifestFile[], context: ManifestContext, now = new Date()): VersionManifest {
  return {
    model: context.model,
    version: context.version,
    files: files.map((f) => ({ ...f })),
    contentSha256: sha256Text(formatLock(files)),
    configSha256: configSha256(context.config),
    runtime: context.runtime,
    runtimeVersion: context.runtimeVersion,
    executionProvider: context.executionProvider,
    ...(context.instances !== undefined ? { instances: context.instances.map((i) => ({ ...i })) } : {}),
    loadedAt: now.toISOString(),
  };
}

/**
 * sha256 and size of every file under `versionDir`, recursively, sorted by relative path.
 * Left out: `manifest.lock` at the top and hidden temporary files (`.name….tmp`, what atomic
 * writers leave for an instant). Symlinks are followed when they stay inside the version
 * directory; one that leads outside, dangles or loops, and anything that is not a regular
 * file or a directory (a FIFO would block the read), is refused with an Error naming it.
 * Files are streamed; size is what was read, so it always agrees with the hash.
 */
export async function hashVersionFiles(versionDir: string): Promise<ManifestFile[]> {
  const root = await realpath(versionDir);
  const files: ManifestFile[] = [];
  await walk(root, root, '', new Set([root]), files);
  return files.sort((a, b) => compareCodeUnits(a.path, b.path));
}

async function walk(root: string, directory: string, prefix: string, ancestors: Set<string>, out: ManifestFile[]): Promise<void> {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (relative === MANIFEST_LOCK || isTemporary(entry.name)) continue;
    let real = path.join(directory, entry.name);
    let kind: 'file' | 'directory' | 'other' = entry.isFile() ? 'file' : entry.isDirectory() ? 'directory' : 'other';
    if (entry.isSymbolicLink()) {
      real = await realpath(real).catch(() => {
        throw new Error(`${relative}: a symlink whose target does not exist`);
      });
      if (!isWithin(root, real)) throw new Error(`${relative}: a symlink that leads outside the version directory; refusing it`);
      const info = await stat(real);
      kind = info.isFile() ? 'file' : info.isDirectory() ? 'directory' : 'other';
    }
    if (kind === 'other') throw new Error(`${relative}: not a regular file or directory; refusing it`);
    if (kind === 'file') {
      out.push({ path: relative, ...(await hashFile(real)) });
      continue;
    }
    if (ancestors.has(real)) throw new Error(`${relative}: a symlink that loops back to a directory above it; refusing it`);
    await walk(root, real, relative, new Set([...ancestors, real]), out);
  }
}

/** Hidden temporary files of atomic writers (`.reference.json.123.ab12.tmp`). */
function isTemporary(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

function isWithin(root: string, real: string): boolean {
  return real === root || real.startsWith(root + path.sep);
}

async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * JSON with object keys sorted (UTF-16 code units) at every level and no whitespace, so the
 * same value always gives the same text whatever order its keys were written or parsed in.
 * Undefined members are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((value as { toJSON(): unknown }).toJSON());
  }
  if (Array.isArray(value)) return `[${value.map((v) => (isAbsent(v) ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => !isAbsent(record[k])).sort(compareCodeUnits);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  return isAbsent(value) ? 'null' : JSON.stringify(value);
}

function isAbsent(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/** sha256 of the canonical JSON of a parsed config; "none" when there is no config. */
export function configSha256(config: unknown): string {
  return config === undefined ? 'none' : sha256Text(canonicalJson(config));
}

// ---- manifest.lock ----

const lockSchema = z.object({
  files: z.record(z.string().min(1), z.strictObject({
    sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex digits').transform((s) => s.toLowerCase()),
    size: z.number().int().min(0),
  })),
});

/** Parses the text of a manifest.lock; throws an Error naming what is malformed. */
export function parseLock(text: string): ManifestFile[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${MANIFEST_LOCK}: not valid JSON`);
  }
  const parsed = lockSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${MANIFEST_LOCK}: ${describeConfigIssues(parsed.error)}`);
  return Object.entries(parsed.data.files)
    .map(([file, entry]) => ({ path: file, sha256: entry.sha256, size: entry.size }))
    .sort((a, b) => compareCodeUnits(a.path, b.path));
}

/** The lock of a version directory; undefined when it has none. Throws on a malformed one. */
export async function readLock(versionDir: string): Promise<ManifestFile[] | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(versionDir, MANIFEST_LOCK), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${MANIFEST_LOCK} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseLock(text);
}

/** The lock text for these files: two-space JSON, one file a line, sorted, ending in a newline. */
export function formatLock(files: readonly ManifestFile[]): string {
  const sorted = [...files].sort((a, b) => compareCodeUnits(a.path, b.path));
  const lines = sorted.map((f) => `    ${JSON.stringify(f.path)}: {"sha256": ${JSON.stringify(f.sha256)}, "size": ${f.size}}`);
  return `{\n  "files": {${lines.length === 0 ? '' : `\n${lines.join(',\n')}\n  `}}\n}\n`;
}

/** One way the files on disk differ from the lock. */
export interface LockDifference {
  path: string;
  kind: 'missing' | 'extra' | 'size' | 'sha256';
  /** One line naming the file: `model.onnx sha256 differs (lock 3f2a…, now 9b1c…)`. */
  message: string;
}

/** Every difference between a lock and the files on disk, in path order. Pure. */
export function compareLock(lock: readonly ManifestFile[], files: readonly ManifestFile[]): LockDifference[] {
  const locked = new Map(lock.map((f) => [f.path, f]));
  const present = new Map(files.map((f) => [f.path, f]));
  const paths = [...new Set([...locked.keys(), ...present.keys()])].sort(compareCodeUnits);
  const differences: LockDifference[] = [];
  for (const file of paths) {
    const want = locked.get(file);
    const have = present.get(file);
    if (have === undefined) differences.push({ path: file, kind: 'missing', message: `${file} missing (in the lock, not on disk)` });
    else if (want === undefined) differences.push({ path: file, kind: 'extra', message: `${file} is not in the lock (added after it was written)` });
    else if (want.size !== have.size) {
      differences.push({ path: file, kind: 'size', message: `${file} size differs (lock ${want.size} bytes, now ${have.size} bytes)` });
    } else if (want.sha256 !== have.sha256) {
      differences.push({ path: file, kind: 'sha256', message: `${file} sha256 differs (lock ${short(want.sha256)}, now ${short(have.sha256)})` });
    }
  }
  return differences;
}

function short(hex: string): string {
  return `${hex.slice(0, 12)}…`;
}

/** Thrown by `checkLock`; `differences` lists them all, the message names the first. */
export class LockMismatchError extends Error {
  override readonly name = 'LockMismatchError';

  constructor(readonly differences: readonly LockDifference[]) {
    const [first] = differences;
    const more = differences.length > 1 ? ` (and ${differences.length - 1} more)` : '';
    super(`${MANIFEST_LOCK} disagrees with the files: ${first?.message ?? 'unknown difference'}${more}`);
  }
}

/**
 * When the version directory has a manifest.lock, the manifest's files must match it
 * exactly: throws a LockMismatchError naming the first file that differs (missing, extra,
 * size, sha256), or an Error for a malformed lock. No lock: resolves, nothing checked.
 */
export async function checkLock(versionDir: string, manifest: { files: readonly ManifestFile[] }): Promise<void> {
  const lock = await readLock(versionDir);
  if (lock === undefined) return;
  const differences = compareLock(lock, manifest.files);
  if (differences.length > 0) throw new LockMismatchError(differences);
}

/**
 * Writes `<versionDir>/manifest.lock` for `files` (default: the files as they are now),
 * atomically: a hidden temporary file in the same directory, flushed, then renamed over
 * the target. Replaces an existing lock: callers that must not (verify) check first.
 * Returns the files locked.
 */
export async function writeLock(versionDir: string, files?: readonly ManifestFile[]): Promise<ManifestFile[]> {
  const locked = [...(files ?? (await hashVersionFiles(versionDir)))].sort((a, b) => compareCodeUnits(a.path, b.path));
  const target = path.join(versionDir, MANIFEST_LOCK);
  await writeFileAtomic(target, formatLock(locked));
  return locked;
}
