import type { VersionPolicy } from './model-config.ts';

/**
 * Which of the available versions a model serves. Pure.
 * Default (no policy): the latest one, as in Triton.
 * `specific` versions that are not present are returned in `missing` so the
 * model can report them as failed rather than silently serve fewer.
 */
export function selectVersions(
  available: readonly number[],
  policy: VersionPolicy | undefined,
): { selected: number[]; missing: number[] } {
  const sorted = [...available].sort((a, b) => a - b);
  if (policy === undefined) return { selected: sorted.slice(-1), missing: [] };
  if ('all' in policy) return { selected: sorted, missing: [] };
  if ('latest' in policy) return { selected: sorted.slice(-policy.latest.num_versions), missing: [] };
  const wanted = [...new Set(policy.specific.versions)].sort((a, b) => a - b);
  return {
    selected: wanted.filter((v) => sorted.includes(v)),
    missing: wanted.filter((v) => !sorted.includes(v)),
  };
}
