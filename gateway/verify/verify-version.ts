import { access } from 'node:fs/promises';
import path from 'node:path';
import {
  compareLock,
  hashVersionFiles,
  MANIFEST_LOCK,
  readLock,
  writeLock,
  type LockDifference,
} from '../repository/manifest.ts';

/** What `modelgate verify` found in one version directory. */
export type VersionVerdict =
  /** The files match manifest.lock. */
  | { status: 'ok'; files: number }
  /** No manifest.lock: nothing to compare with. */
  | { status: 'no-lock'; files: number }
  /** No manifest.lock; one was written for the files as they are (--write-lock). */
  | { status: 'locked'; files: number }
  /** The files differ from manifest.lock (the lock is never replaced). */
  | { status: 'drifted'; differences: LockDifference[] }
  /** The directory cannot be verified: a malformed lock, a symlink out of it, an unreadable file. */
  | { status: 'failed'; reason: string };

/**
 * Hashes the files of one version directory (a real path) and compares them with its
 * manifest.lock. With `writeLock`, a version without a lock gets one; a lock that exists is
 * never replaced, even one that differs.
 */
export async function verifyVersion(directory: string, options: { writeLock: boolean }): Promise<VersionVerdict> {
  try {
    const files = await hashVersionFiles(directory);
    const lock = await readLock(directory);
    if (lock !== undefined) {
      const differences = compareLock(lock, files);
      return differences.length === 0 ? { status: 'ok', files: files.length } : { status: 'drifted', differences };
    }
    if (!options.writeLock) return { status: 'no-lock', files: files.length };
    // A lock that appeared while we hashed (another publisher) is theirs: compare, never replace.
    if (await exists(path.join(directory, MANIFEST_LOCK))) return verifyVersion(directory, { writeLock: false });
    await writeLock(directory, files);
    return { status: 'locked', files: files.length };
  } catch (error) {
    return { status: 'failed', reason: firstLine(error) };
  }
}

/** One line for a verdict, after `model/version `. */
export function describeVerdict(verdict: VersionVerdict, writeLockRequested: boolean): string {
  const files = (n: number): string => `${n} file${n === 1 ? '' : 's'}`;
  switch (verdict.status) {
    case 'ok':
      return `ok (${files(verdict.files)})`;
    case 'no-lock':
      return `no lock (${files(verdict.files)})`;
    case 'locked':
      return `lock written (${files(verdict.files)})`;
    case 'drifted': {
      const [first, ...rest] = verdict.differences;
      const more = rest.length > 0 ? ` (and ${rest.length} more: ${rest.map((d) => d.path).join(', ')})` : '';
      const kept = writeLockRequested ? `; ${MANIFEST_LOCK} kept (--write-lock never replaces a lock)` : '';
      return `DRIFTED: ${first?.message ?? 'differs'}${more}${kept}`;
    }
    case 'failed':
      return `FAILED: ${verdict.reason}`;
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0] as string;
}
