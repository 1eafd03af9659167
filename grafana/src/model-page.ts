import { dashboard, labelValues, UID, VERSION } from './common.ts';
import type { Dashboard } from './model.ts';
import { barGauge, colorByName, heatmap, layout, mappings, query, row, stat, stateTimeline, table, thresholds, timeseries } from './panels.ts';

/**
 * One model version: latency split into queue wait and compute, outcomes,
 * batching, live load and readiness per replica, and what it runs (model info).
 * Quantiles, rates and ratios come from the recording rules; per-replica panels
 * read the raw series.
 */

const V = `{${VERSION}}`;
const RATE = 'model_version:modelgate_inference_requests:rate5m';

export function modelDashboard(): Dashboard {
  const panels = layout([
    [row('Model $model, version $version')],
    [
      stat({
        title: 'Ready replicas', w: 4, h: 4, textMode: 'value_and_name', graph: false,
        description: 'Replicas where this version is READY with healthy workers, out of the replicas that loaded it.',
        queries: [query(`sum(modelgate_model_ready${V})`, 'ready'), query(`count(modelgate_model_ready${V})`, 'replicas')],
        thresholds: [{ color: 'red', value: null }, { color: 'green', value: 1 }],
      }),
      stat({
        title: 'Lifecycle state', w: 4, h: 4, textMode: 'name', graph: false,
        description: 'The current lifecycle state on the replicas (LOADING → READY → UNLOADING → UNAVAILABLE); more than one name means the replicas disagree.',
        queries: [query(`max by (state) (modelgate_model_state${V}) == 1`, '{{state}}')],
        overrides: colorByName({ LOADING: 'blue', READY: 'green', UNLOADING: 'orange', UNAVAILABLE: 'red' }),
      }),
      stat({
        title: 'Requests / s', w: 4, h: 4, unit: 'reqps',
        queries: [query(`${RATE}${V}`, 'requests/s')],
      }),
      stat({
        title: 'Error ratio', w: 4, h: 4, unit: 'percentunit', decimals: 2,
        description: 'runtime_error + timeout + rejected over all requests (5m).',
        queries: [query(`model_version:modelgate_inference_requests_errors:ratio_rate5m${V}`, 'errors')],
        thresholds: thresholds(['yellow', 0.01], ['red', 0.05]),
      }),
      stat({
        title: 'p99 latency', w: 4, h: 4, unit: 's',
        queries: [query(`model_version:modelgate_request_duration_seconds:p99_rate5m${V}`, 'p99')],
        thresholds: thresholds(['orange', 0.5]),
      }),
      stat({
        title: 'Mean batch size', w: 4, h: 4, decimals: 1,
        queries: [query(`model_version:modelgate_batch_size_rows:mean_rate5m${V}`, 'rows/batch')],
      }),
    ],
    [
      timeseries({
        title: 'Latency breakdown (p99)', w: 12, h: 8, unit: 's',
        description: 'request: arrival to response; queue: wait in the scheduler queue before the batch left; compute: one batch on a worker (hand-off, inference, return). p99 over 5m, all replicas.',
        queries: [
          query(`model_version:modelgate_request_duration_seconds:p99_rate5m${V}`, 'request p99'),
          query(`model_version:modelgate_queue_duration_seconds:p99_rate5m${V}`, 'queue p99'),
          query(`model_version:modelgate_compute_duration_seconds:p99_rate5m${V}`, 'compute p99'),
        ],
      }),
      timeseries({
        title: 'Request latency quantiles', w: 12, h: 8, unit: 's', thresholds: thresholds(['orange', 0.5]), thresholdStyle: 'dashed',
        description: 'Arrival to response, every outcome (5m). Dashed: the 0.5 s SLO of ModelgateLatencySLOBreach.',
        queries: [
          query(`model_version:modelgate_request_duration_seconds:p50_rate5m${V}`, 'p50'),
          query(`model_version:modelgate_request_duration_seconds:p90_rate5m${V}`, 'p90'),
          query(`model_version:modelgate_request_duration_seconds:p99_rate5m${V}`, 'p99'),
        ],
      }),
    ],
    [
      timeseries({
        title: 'Requests / s by outcome', w: 12, h: 8, unit: 'reqps', stack: true,
        queries: [query(`model_version_outcome:modelgate_inference_requests:rate5m${V}`, '{{outcome}}')],
        overrides: colorByName({ success: 'green', client_error: 'yellow', rejected: 'orange', timeout: 'purple', runtime_error: 'red', client_closed: 'blue' }),
      }),
      timeseries({
        title: 'Throughput per version of $model', w: 12, h: 8, unit: 'short',
        description: 'Every served version of the model: requests/s and rows/s dispatched to the model (a request may carry many rows).',
        queries: [
          query(`${RATE}{model="$model"}`, 'v{{version}} requests/s'),
          query('model_version:modelgate_batch_size_rows_sum:rate5m{model="$model"}', 'v{{version}} rows/s'),
        ],
      }),
    ],
    [
      heatmap({
        title: 'Batch size distribution', w: 12, h: 8, unit: 'short',
        description: 'Dispatched batches per second by size bucket (rows per batch), all replicas.',
        queries: [query(`sum by (le) (rate(modelgate_batch_size_rows_bucket${V}[$__rate_interval]))`, '{{le}}')],
      }),
      barGauge({
        title: 'Batches by size (time range)', w: 6, h: 8, unit: 'short',
        description: 'Dispatched batches in the dashboard\'s time range, by size bucket (upper bound in rows).',
        queries: [{ expr: `sum by (le) (increase(modelgate_batch_size_rows_bucket${V}[$__range]))`, legend: '{{le}}', format: 'heatmap' }],
      }),
      timeseries({
        title: 'Mean batch size', w: 6, h: 8, min: 0,
        queries: [query(`model_version:modelgate_batch_size_rows:mean_rate5m${V}`, 'rows per batch')],
      }),
    ],
    [
      timeseries({
        title: 'In flight and queued, by replica', w: 8, h: 8, min: 0,
        description: 'In flight: queued or running on a worker. Queued: waiting in the scheduler queue.',
        queries: [
          query(`sum by (instance) (modelgate_inflight_requests${V})`, '{{instance}} in flight'),
          query(`sum by (instance) (modelgate_queue_depth${V})`, '{{instance}} queued'),
        ],
      }),
      timeseries({
        title: 'Requests / s by replica', w: 8, h: 8, unit: 'reqps', min: 0,
        description: 'How the load balancer spreads this version\'s requests over the replicas.',
        queries: [query(`sum by (instance) (rate(modelgate_inference_requests_total${V}[$__rate_interval]))`, '{{instance}}')],
      }),
      stateTimeline({
        title: 'Readiness by replica', w: 8, h: 8,
        description: 'modelgate_model_ready per replica: not ready for 5 minutes fires ModelgateModelNotReady.',
        queries: [query(`modelgate_model_ready${V}`, '{{instance}}')],
        mappings: mappings({ 0: ['not ready', 'red'], 1: ['ready', 'green'] }),
      }),
    ],
    [
      table({
        title: 'Model info ($model, every version and replica)', w: 24, h: 6,
        description: 'What each replica runs for each READY version: runtime, execution provider and the sha256 of the artifact (compare with `modelgate verify`).',
        queries: [query('modelgate_model_info{model="$model"}')],
        transformations: [{
          id: 'organize',
          options: {
            excludeByName: { Time: true, Value: true, __name__: true, job: true, model: true },
            indexByName: { version: 0, instance: 1, runtime: 2, runtime_version: 3, execution_provider: 4, platform: 5, artifact_sha256: 6 },
            renameByName: {},
          },
        }],
      }),
    ],
  ]);
  return dashboard({
    uid: UID.model,
    title: 'modelgate / Model',
    description: 'One model version across replicas: latency breakdown, outcomes, batching, load, readiness and model info.',
    variables: [
      labelValues('model', 'Model', 'modelgate_model_info'),
      labelValues('version', 'Version', 'modelgate_model_info{model="$model"}', 3),
    ],
    panels,
  });
}
