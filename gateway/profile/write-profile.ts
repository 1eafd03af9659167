import { writeFileAtomic } from '../repository/atomic-write.ts';
import path from 'node:path';
import type { ReferenceProfile } from '../monitoring/drift/reference-profile.ts';
import { REFERENCE_PROFILE } from '../repository/scan.ts';

/**
 * Writes `<versionDirectory>/reference.json` atomically: the text goes to a hidden
 * temporary file in the same directory (same file system), is flushed to disk, then
 * renamed over the old file, so a reader (a gateway loading the version) sees the old
 * profile or the new one, never half of one. On failure the temporary file is removed
 * and the old profile stays. Returns the path written.
 */
export async function writeReferenceProfile(versionDirectory: string, profile: ReferenceProfile): Promise<string> {
  const target = path.join(versionDirectory, REFERENCE_PROFILE);
  await writeFileAtomic(target, formatProfile(profile));
  return target;
}

/**
 * JSON with two-space indentation, arrays and objects of scalars on one line (edges,
 * shares and sources stay readable), ending in a newline.
 */
export function formatProfile(profile: ReferenceProfile): string {
  return `${format(profile, '')}\n`;
}

function format(value: unknown, indent: string): string {
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) {
    return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    return value.length === 0 ? '[]' : `[\n${value.map((v) => inner + format(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    if (entries.every(([, v]) => v === null || typeof v !== 'object')) {
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`;
    }
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${format(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
