/**
 * Reads the gateway's own counters from GET /metrics (Prometheus text), to report what
 * the batcher did during a measurement: how many batches and rows it dispatched for a
 * model (every version summed), and how many inference requests it answered.
 */

export interface BatchTotals {
  batches: number;
  rows: number;
  requests: number;
}

/** The model a KServe v2 inference path names (`/v2/models/{m}[/versions/{v}]/infer`). */
export function modelOfPath(path: string): string | undefined {
  return /^\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?\/infer$/.exec(path)?.[1];
}

function sumSeries(text: string, metric: string, model: string | undefined): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const rest = line.slice(metric.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    if (model !== undefined && !rest.includes(`model="${model}"`)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

/** Totals since the gateway started, for `model` (every model when undefined); undefined when /metrics does not answer. */
export async function batchTotals(baseUrl: string, model: string | undefined): Promise<BatchTotals | undefined> {
  try {
    const response = await fetch(`${baseUrl}/metrics`);
    const text = await response.text();
    if (response.status !== 200) return undefined;
    return {
      batches: sumSeries(text, 'modelgate_batch_size_rows_count', model),
      rows: sumSeries(text, 'modelgate_batch_size_rows_sum', model),
      requests: sumSeries(text, 'modelgate_inference_requests_total', model),
    };
  } catch {
    return undefined;
  }
}

export function difference(after: BatchTotals, before: BatchTotals): BatchTotals {
  return { batches: after.batches - before.batches, rows: after.rows - before.rows, requests: after.requests - before.requests };
}
