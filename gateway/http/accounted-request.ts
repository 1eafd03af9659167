import type { Context } from 'hono';
import type { ModelRegistry } from '../models/model-registry.ts';
import type { ModelVersion } from '../models/model-version.ts';
import type { ServingMetrics } from '../monitoring/serving-metrics.ts';
import { outcomeOf } from '../monitoring/outcome.ts';

/**
 * One inference request, whatever its protocol (KServe v2, TF Serving): the version is
 * resolved (an explicit version wins, else the traffic policy with its sticky header,
 * else the latest), named in `x-modelgate-version`, and the request is accounted for
 * once, with the outcome of what `run` threw (or success): Triton statistics, the
 * request log rollouts compare versions over, and the request metrics.
 */
export async function accountedRequest(
  c: Context,
  registry: ModelRegistry,
  metrics: ServingMetrics,
  model: string,
  versionText: string | undefined,
  run: (served: ModelVersion) => Promise<Response>,
): Promise<Response> {
  const started = performance.now();
  const served = registry.resolve(model, versionText, (header) => c.req.header(header));
  c.header('x-modelgate-version', String(served.version));
  let failure: unknown;
  try {
    return await run(served);
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    const ms = performance.now() - started;
    const outcome = outcomeOf(failure);
    served.statistics.request(outcome === 'success', ms);
    served.requestLog.record(Date.now(), ms / 1000, outcome === 'runtime_error' || outcome === 'timeout' || outcome === 'rejected');
    metrics.observeRequest(served.model, served.version, outcome, ms / 1000);
  }
}
