import assert from 'node:assert/strict';
import type { RunningPrometheus } from './prometheus.ts';
import { waitFor } from './wait.ts';

/**
 * Tools to compare a recording rule's value with the same computation redone at the rule's
 * evaluation time t (an instant query with `time=t`), and with figures read from the
 * replicas' /metrics.
 */

/** How long after a scrape's reported end its samples are surely stored (the append commits just after). */
const COMMIT_MARGIN_S = 0.1;

/**
 * The latest evaluation time of `series` (a rule's output, with its selector) once it is
 * ≥ `notBefore` and no scrape of `job` straddled it; also how many evaluations were passed over.
 *
 * Why: a sample carries its scrape's start time but is stored when the scrape ends. A rule
 * evaluated while a replica was being scraped misses that scrape; a query made later for the
 * same t sees it, and the two differ. An evaluation is clean when every target's last scrape
 * before t ended (start + scrape_duration_seconds + a commit margin) before t. Scrape and
 * evaluation phases are fixed per target and group, so run rules at an interval that is not a
 * multiple of the scrape interval (e.g. 0.7 s against 1 s): the phases then drift and a clean
 * evaluation comes.
 */
export async function cleanEvaluation(prom: RunningPrometheus, series: string, options: { job: string; targets: number; notBefore: number; timeoutMs?: number }): Promise<{ at: number; passedOver: number }> {
  const straddled = new Set<number>();
  const at = await waitFor(`an evaluation of ${series} after ${options.notBefore} that no scrape straddled`, async () => {
    const stamps = await prom.query(`timestamp(${series})`);
    if (stamps.length === 0) return undefined;
    const latest = Math.min(...stamps.map((s) => s.value));
    if (latest < options.notBefore) return undefined;
    const started = new Map((await prom.query(`timestamp(up{job="${options.job}"})`, latest)).map((s) => [s.metric.instance!, s.value]));
    const took = await prom.query(`scrape_duration_seconds{job="${options.job}"}`, latest);
    if (took.length === options.targets && took.every((s) => started.get(s.metric.instance!)! + s.value + COMMIT_MARGIN_S < latest)) return latest;
    straddled.add(latest);
    return undefined;
  }, { timeoutMs: options.timeoutMs ?? 20_000, intervalMs: 150 });
  return { at, passedOver: straddled.size };
}

/**
 * Each target's extrapolation factor f at `at`: the increase() of its series of `selector`
 * over a window holding all their samples, divided by their total read from its /metrics
 * (`counted`, one per instance, in `instances` order). When every series of a target was
 * scraped at 0 before any traffic, increase() extrapolates only at the window's end, by
 * f = 1 + (t − t_last) / (t_last − t_first): one factor for all of that target's series.
 */
export async function extrapolationFactors(prom: RunningPrometheus, at: number, selector: string, window: string, instances: readonly string[], counted: readonly number[]): Promise<number[]> {
  const increases = await prom.query(`increase(${selector}[${window}])`, at);
  return instances.map((instance, k) => {
    const factor = increases.filter((s) => s.metric.instance === instance).reduce((n, s) => n + s.value, 0) / counted[k]!;
    assert.ok(factor >= 1 && factor < 1.2, `${instance}: extrapolation factor ${factor} for ${selector}`);
    return factor;
  });
}
