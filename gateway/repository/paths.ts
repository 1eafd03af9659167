import { realpath } from 'node:fs/promises';
import path from 'node:path';

/** Model names: letters, digits, `_`, `.`, `-`; never `.` or `..` alone, never hidden. */
const MODEL_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

export function isValidModelName(name: string): boolean {
  return MODEL_NAME.test(name) && !name.includes('..');
}

/** Version directories are positive integers written without leading zeros ("1", "12"). */
const VERSION_DIR = /^[1-9][0-9]{0,8}$/;

export function parseVersionDirectory(name: string): number | undefined {
  return VERSION_DIR.test(name) ? Number(name) : undefined;
}

/**
 * Resolves `relative` under `root` and follows symlinks; undefined when the
 * real location lies outside the real root (a symlink or `..` escaping the
 * repository) or does not exist.
 */
export async function resolveInside(root: string, ...relative: string[]): Promise<string | undefined> {
  try {
    const realRoot = await realpath(root);
    const real = await realpath(path.join(root, ...relative));
    return real === realRoot || real.startsWith(realRoot + path.sep) ? real : undefined;
  } catch {
    return undefined;
  }
}
