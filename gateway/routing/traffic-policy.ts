import { createHash } from 'node:crypto';
import { z } from 'zod';
import { describeConfigIssues } from '../repository/model-config.ts';

/**
 * A model's traffic policy (`<repo>/<model>/traffic.yaml`, or PUT through the
 * management API): which versions serve requests that name no version, in what
 * proportions, and which request header keeps a client on one version.
 *
 * ```yaml
 * versions:
 *   - {version: 1, weight: 90}
 *   - {version: 2, weight: 10}
 * sticky_header: x-modelgate-route-key   # optional; this is the default
 * ```
 */
export const trafficPolicySchema = z.strictObject({
  versions: z.array(z.strictObject({
    version: z.number().int().min(1),
    weight: z.number().min(0).max(100),
  })).min(1).max(16),
  sticky_header: z.string().regex(/^[a-z0-9-]{1,64}$/, 'expected a lower-case header name').default('x-modelgate-route-key'),
  /**
   * Mirror a share of the requests to another version: its answer is discarded
   * but compared with the primary's (see routing/shadow-compare.ts).
   */
  shadow: z.strictObject({
    version: z.number().int().min(1),
    share: z.number().gt(0).max(1),
    /** Regression outputs disagree beyond this relative error. */
    relative_tolerance: z.number().min(0).default(0.05),
    /** Shadow work is shed when the shadow version already has this many requests queued or running. */
    max_inflight: z.number().int().min(1).default(16),
  }).optional(),
}).superRefine((p, ctx) => {
  const seen = new Set<number>();
  for (const [i, v] of p.versions.entries()) {
    if (seen.has(v.version)) ctx.addIssue({ code: 'custom', path: ['versions', i, 'version'], message: `version ${v.version} is listed twice` });
    seen.add(v.version);
  }
  if (p.versions.reduce((sum, v) => sum + v.weight, 0) <= 0) ctx.addIssue({ code: 'custom', path: ['versions'], message: 'expected at least one weight above 0' });
});

export type TrafficPolicySpec = z.infer<typeof trafficPolicySchema>;

/**
 * A validated policy, immutable: a change builds a new one and swaps the
 * reference, so a request sees one policy or the other, never half of each.
 */
export class TrafficPolicy {
  /** Versions in routing order with their cumulative upper bounds in [0, 1]. */
  private readonly bounds: readonly { version: number; upTo: number }[];

  constructor(readonly spec: TrafficPolicySpec) {
    const total = spec.versions.reduce((sum, v) => sum + v.weight, 0);
    // Highest version first: a canary (the newest version) owns [0, w) of the key space,
    // so a sticky key that landed on it stays there while its weight only grows.
    const ordered = [...spec.versions].sort((a, b) => b.version - a.version);
    let cumulative = 0;
    this.bounds = ordered.map((v) => ({ version: v.version, upTo: (cumulative += v.weight / total) }));
  }

  static parse(raw: unknown, source = 'traffic policy'): TrafficPolicy {
    const parsed = trafficPolicySchema.safeParse(raw);
    if (!parsed.success) throw new Error(`${source}: ${describeConfigIssues(parsed.error)}`);
    return new TrafficPolicy(parsed.data);
  }

  /** Every version the policy routes to, the shadow included. */
  get versions(): number[] {
    const routed = this.spec.versions.map((v) => v.version);
    return this.spec.shadow === undefined ? routed : [...routed, this.spec.shadow.version];
  }

  /**
   * The version for one request: by the hash of its route key when it has one
   * (the same key always lands on the same point of [0, 1)), else at random.
   */
  choose(routeKey: string | undefined, random: () => number = Math.random): number {
    const point = routeKey === undefined ? random() : keyPoint(routeKey);
    for (const bound of this.bounds) if (point < bound.upTo) return bound.version;
    return this.bounds[this.bounds.length - 1]!.version;
  }
}

/** A stable point in [0, 1) for a key: the first 48 bits of its sha256. */
export function keyPoint(key: string): number {
  return createHash('sha256').update(key).digest().readUIntBE(0, 6) / 2 ** 48;
}
