/**
 * Samples of one metric from a Prometheus text exposition, as prom-client writes it:
 * `name{label="value",...} number` (or `name number`), one sample a line. Enough for tests
 * that read a gateway's /metrics directly; not a general parser (no timestamps, no escapes
 * beyond \" \\ \n in label values).
 */

export interface ExposedSample {
  labels: Record<string, string>;
  value: number;
}

const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

function number(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** Every sample of `name` whose labels include `match`. */
export function samplesOf(text: string, name: string, match: Record<string, string> = {}): ExposedSample[] {
  const result: ExposedSample[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    const braced = /^\{(.*)\} (\S+)$/.exec(rest);
    const bare = braced === null ? /^ (\S+)$/.exec(rest) : null;
    if (braced === null && bare === null) continue; // another metric with this prefix
    const labels: Record<string, string> = {};
    for (const [, key, value] of (braced?.[1] ?? '').matchAll(LABEL)) labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    if (Object.entries(match).every(([key, value]) => labels[key] === value)) result.push({ labels, value: number((braced?.[2] ?? bare?.[1])!) });
  }
  return result;
}

/** A per-bin drift metric (labels `feature` and `bin`) as, per feature, its values indexed by bin. */
export function binsByFeature(text: string, name: string, match: Record<string, string>): Map<string, number[]> {
  const byFeature = new Map<string, number[]>();
  for (const s of samplesOf(text, name, match)) {
    const bins = byFeature.get(s.labels.feature!) ?? [];
    bins[Number(s.labels.bin)] = s.value;
    byFeature.set(s.labels.feature!, bins);
  }
  return byFeature;
}

/** The /metrics text of a gateway. */
export async function scrapeMetrics(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (response.status !== 200) throw new Error(`GET ${baseUrl}/metrics: ${response.status}`);
  return response.text();
}
