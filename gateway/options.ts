import { z } from 'zod';
import { describeConfigIssues } from './repository/model-config.ts';

/**
 * Server options: validated once at start, defaults in one place, then frozen
 * (the fastify habit). The CLI maps flags and MODELGATE_* variables onto this.
 */
export const serverOptionsSchema = z.strictObject({
  modelRepository: z.string().min(1).default('./models'),
  host: z.string().min(1).default('0.0.0.0'),
  port: z.coerce.number().int().min(0).max(65535).default(8000),
  /** Largest request body accepted (Triton's default: 64 MiB). */
  maxBodyBytes: z.coerce.number().int().min(1024).default(64 * 1024 * 1024),
  /** Deepest JSON nesting accepted in a request body. */
  maxJsonDepth: z.coerce.number().int().min(2).max(10_000).default(100),
  /** Seconds a shutdown waits for in-flight requests before it forces. */
  gracePeriodSeconds: z.coerce.number().min(0).default(30),
  /** Ready only when every model loaded (Triton's strict readiness); off: ready once startup ends. */
  strictReadiness: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(true),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** YAML/JSON file of control-plane tokens; without it the management API is disabled. */
  managementTokens: z.string().min(1).optional(),
  /** Append-only JSON-lines audit trail of management actions. */
  auditLog: z.string().min(1).optional(),
  /** Require a token with the `infer` scope for inference too (default: inference is open). */
  inferenceAuth: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).default(false),
  /**
   * Triton's model control modes: `none` loads everything at start; `explicit`
   * loads only --load-model names at start, then the management API decides;
   * `poll` also rescans the repository every --repository-poll-seconds.
   */
  modelControlMode: z.enum(['none', 'explicit', 'poll']).default('none'),
  /** Models to load at start in explicit mode (repeat the flag, or comma-separate). */
  loadModel: z.union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== ''))
    .default([]),
  repositoryPollSeconds: z.coerce.number().min(0.1).default(15),
  /** How often the in-process rollout controller decides. */
  rolloutTickSeconds: z.coerce.number().min(0.05).default(5),
  /** `in-process` (one replica) or `external` (several: `modelgate rollout-controller` decides). */
  rolloutController: z.enum(['in-process', 'external']).default('in-process'),
});

export type ServerOptions = Readonly<z.infer<typeof serverOptionsSchema>>;

export function parseServerOptions(input: Record<string, unknown>): ServerOptions {
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const parsed = serverOptionsSchema.safeParse(defined);
  if (!parsed.success) throw new Error(`invalid options: ${describeConfigIssues(parsed.error)}`);
  return Object.freeze(parsed.data);
}
