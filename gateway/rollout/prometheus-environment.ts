import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { RolloutEnvironment } from './controller.ts';
import type { Observations, VersionObservations } from './observations.ts';
import type { HistogramBucket } from './quantiles.ts';
import type { RolloutState } from './rollout-state.ts';
import { scanRepository } from '../repository/scan.ts';
import { writeFileAtomic } from '../repository/atomic-write.ts';
import { TrafficPolicy } from '../routing/traffic-policy.ts';

type Sample = { metric: Record<string, string>; value: [number, string] };

/**
 * The scale-out rollout environment (`modelgate rollout-controller`): facts from
 * Prometheus, summed over every replica it scrapes, over the step's window: each
 * counter's fleet-wide sum now minus the same sum at the step's start (two instant
 * queries; `increase()` would miss what happened before the window's first sample).
 * Actions: writing `<model>/traffic.yaml`, which every replica watches and applies.
 */
export function prometheusEnvironment(prometheusUrl: string, root: string): RolloutEnvironment {
  const query = async (promql: string, at: number): Promise<Sample[]> => {
    const url = new URL('/api/v1/query', prometheusUrl);
    url.searchParams.set('query', promql);
    url.searchParams.set('time', String(at / 1000));
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    const body = (await response.json()) as { status: string; error?: string; data?: { result: Sample[] } };
    if (body.status !== 'success') throw new Error(`Prometheus query failed: ${body.error ?? response.status}: ${promql}`);
    return body.data?.result ?? [];
  };
  const scalar = (samples: Sample[]): number => Math.round(samples.reduce((sum, s) => sum + Number(s.value[1]), 0));
  /** `expr` (a sum by some labels) at `to` minus at `from`, per label set. */
  const delta = async (expr: string, from: number, to: number): Promise<Sample[]> => {
    const [before, after] = await Promise.all([query(expr, from), query(expr, to)]);
    const key = (s: Sample) => JSON.stringify(s.metric);
    const start = new Map(before.map((s) => [key(s), Number(s.value[1])]));
    return after.map((s) => ({ metric: s.metric, value: [s.value[0], String(Math.max(0, Number(s.value[1]) - (start.get(key(s)) ?? 0)))] }));
  };

  const version = async (model: string, v: number, from: number, at: number): Promise<VersionObservations> => {
    const sel = `model="${model}",version="${v}"`;
    const [requests, errors, buckets, outputs] = await Promise.all([
      delta(`sum(modelgate_inference_requests_total{${sel}})`, from, at),
      delta(`sum(modelgate_inference_requests_total{${sel},outcome=~"runtime_error|timeout|rejected"})`, from, at),
      delta(`sum by (le) (modelgate_request_duration_seconds_bucket{${sel}})`, from, at),
      delta(`sum by (output, bin) (modelgate_output_bin_total{${sel}})`, from, at),
    ]);
    const histogram: HistogramBucket[] = buckets
      .map((s) => ({ le: s.metric.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.metric.le), count: Number(s.value[1]) }))
      .sort((a, b) => a.le - b.le);
    const byOutput: Record<string, number[]> = {};
    for (const s of outputs) {
      const counts = (byOutput[s.metric.output ?? ''] ??= []);
      counts[Number(s.metric.bin)] = Math.round(Number(s.value[1]));
    }
    for (const counts of Object.values(byOutput)) for (let i = 0; i < counts.length; i += 1) counts[i] ??= 0;
    return {
      requests: scalar(requests),
      errors: scalar(errors),
      latency: { buckets: histogram },
      ...(Object.keys(byOutput).length > 0 ? { outputs: byOutput } : {}),
    };
  };

  return {
    root,
    models: async () => (await scanRepository(root)).map((m) => ({ name: m.name, directory: m.directory })),
    async observe(state: RolloutState, now: number): Promise<Observations | undefined> {
      const { model, baseline, candidate } = state.spec;
      const from = state.stepStartedAt;
      const [base, cand, drift, shadow] = await Promise.all([
        version(model, baseline, from, now),
        version(model, candidate, from, now),
        query(`max(modelgate_drift_score{model="${model}",version="${candidate}",method="js"})`, now),
        delta(`sum by (outcome) (modelgate_shadow_requests_total{model="${model}",shadow_version="${candidate}",outcome=~"agreed|disagreed"})`, from, now),
      ]);
      const agreed = scalar(shadow.filter((s) => s.metric.outcome === 'agreed'));
      const disagreed = scalar(shadow.filter((s) => s.metric.outcome === 'disagreed'));
      return {
        baseline: base,
        candidate: cand,
        candidateInputDrift: drift.length > 0 ? Number(drift[0]!.value[1]) : null,
        shadow: state.spec.shadow === undefined || agreed + disagreed === 0 ? null : { comparisons: agreed + disagreed, disagreements: disagreed },
      };
    },
    async route(spec, versions, shadow) {
      const file = path.join(root, spec.model, 'traffic.yaml');
      const policy = TrafficPolicy.parse(shadow === undefined ? { versions } : { versions, shadow }, 'traffic policy');
      // Keep a sticky header the operator set; everything else is the rollout's.
      const current = await readFile(file, 'utf8').then((t) => parseYaml(t) as { sticky_header?: string } | null, () => null);
      const spec_ = { ...policy.spec, sticky_header: current?.sticky_header ?? policy.spec.sticky_header };
      await writeFileAtomic(file, stringifyYaml(spec_));
    },
  };
}
