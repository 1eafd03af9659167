import { dashboard, JOB, linkTo, UID } from './common.ts';
import type { Dashboard } from './model.ts';
import { colorByName, layout, mappings, query, row, stat, stateTimeline, table, thresholds, timeseries } from './panels.ts';

/**
 * Fleet overview: every replica and model version at once, from the recording
 * rules of deploy/prometheus/rules/recording.yml (replicas already summed).
 */

const UP = `up{job="${JOB}"}`;
const RATE = 'model_version:modelgate_inference_requests:rate5m';
const BY_OUTCOME = 'model_version_outcome:modelgate_inference_requests:rate5m';
const BUCKETS = 'model_version_le:modelgate_request_duration_seconds_bucket:rate5m';
/** The outcomes that count as the gateway's errors (as in the error-ratio rule). */
const ERRORS = 'outcome=~"runtime_error|timeout|rejected"';
const toModel = [linkTo(UID.model, 'Model ${__field.labels.model}', false)];
const toVersion = [linkTo(UID.model, 'Model ${__field.labels.model} version ${__field.labels.version}', true)];

export function fleetDashboard(): Dashboard {
  const panels = layout([
    [row('Fleet')],
    [
      stat({
        title: 'Replicas up', w: 4, h: 4, textMode: 'value_and_name', graph: false,
        description: 'Gateway replicas that answered their last scrape, out of every target of job modelgate.',
        queries: [query(`sum(${UP})`, 'up'), query(`count(${UP})`, 'targets')],
        thresholds: [{ color: 'red', value: null }, { color: 'green', value: 1 }],
      }),
      stat({
        title: 'Requests / s', w: 4, h: 4, unit: 'reqps',
        description: 'Inference requests per second over 5 minutes, every model, version and outcome.',
        queries: [query(`sum(${RATE})`, 'requests/s')],
      }),
      stat({
        title: 'Error ratio', w: 4, h: 4, unit: 'percentunit', decimals: 2,
        description: 'runtime_error + timeout + rejected over all requests, fleet wide (5m). ModelgateHighErrorRatio fires above 5% per version.',
        queries: [query(`sum(${BY_OUTCOME}{${ERRORS}}) / (sum(${RATE}) > 0)`, 'errors')],
        thresholds: thresholds(['yellow', 0.01], ['red', 0.05]),
      }),
      stat({
        title: 'p99 latency', w: 4, h: 4, unit: 's',
        description: 'Request latency p99 over every model version and replica (arrival to response). The latency SLO is 0.5 s.',
        queries: [query(`histogram_quantile(0.99, sum by (le) (${BUCKETS}))`, 'p99')],
        thresholds: thresholds(['orange', 0.5]),
      }),
      stat({
        title: 'Versions ready', w: 4, h: 4, textMode: 'value_and_name', graph: false,
        description: 'Model versions READY with healthy workers, counted per replica, out of every loaded version on every replica.',
        queries: [query('sum(modelgate_model_ready)', 'ready'), query('count(modelgate_model_ready)', 'loaded')],
      }),
      stat({
        title: 'Queued requests', w: 4, h: 4,
        description: 'Requests waiting in the scheduler queues of every replica.',
        queries: [query('sum(modelgate_queue_depth)', 'queued')],
        thresholds: thresholds(['yellow', 100], ['red', 1000]),
      }),
    ],
    [
      timeseries({
        title: 'Requests / s by model', w: 12, h: 8, unit: 'reqps', stack: true, links: toModel,
        description: 'Every outcome, summed over versions and replicas (5m rate).',
        queries: [query(`sum by (model) (${RATE})`, '{{model}}')],
      }),
      timeseries({
        title: 'Requests / s by outcome', w: 12, h: 8, unit: 'reqps', stack: true,
        description: 'success, client_error (the caller\'s fault), rejected (queue full, shutting down, not ready), timeout, runtime_error, client_closed.',
        queries: [query(`sum by (outcome) (${BY_OUTCOME})`, '{{outcome}}')],
        overrides: colorByName({ success: 'green', client_error: 'yellow', rejected: 'orange', timeout: 'purple', runtime_error: 'red', client_closed: 'blue' }),
      }),
    ],
    [
      timeseries({
        title: 'Request latency p50 / p99 by model', w: 12, h: 8, unit: 's', links: toModel, thresholds: thresholds(['orange', 0.5]), thresholdStyle: 'dashed',
        description: 'Arrival to response, every outcome; quantiles of the request-duration buckets summed over versions and replicas. Dashed: the 0.5 s SLO.',
        queries: [
          query(`histogram_quantile(0.5, sum by (model, le) (${BUCKETS}))`, '{{model}} p50'),
          query(`histogram_quantile(0.99, sum by (model, le) (${BUCKETS}))`, '{{model}} p99'),
        ],
      }),
      timeseries({
        title: 'Error ratio by model version', w: 12, h: 8, unit: 'percentunit', min: 0, links: toVersion, thresholds: thresholds(['red', 0.05]), thresholdStyle: 'dashed',
        description: 'runtime_error + timeout + rejected over all requests of the version (5m). No series while a version is idle. Dashed: the 5% alert threshold.',
        queries: [query('model_version:modelgate_inference_requests_errors:ratio_rate5m', '{{model}} v{{version}}')],
      }),
    ],
    [
      timeseries({
        title: 'Queue depth by model version', w: 8, h: 8, min: 0, links: toVersion,
        description: 'Requests waiting in the scheduler queue, summed over replicas.',
        queries: [query('sum by (model, version) (modelgate_queue_depth)', '{{model}} v{{version}}')],
      }),
      timeseries({
        title: 'Mean batch size by model version', w: 8, h: 8, unit: 'short', min: 0, links: toVersion,
        description: 'Rows per dispatched batch: rows/s over batches/s (5m). 1 means the batcher found nothing to combine.',
        queries: [query('model_version:modelgate_batch_size_rows:mean_rate5m', '{{model}} v{{version}}')],
      }),
      timeseries({
        title: 'In-flight requests by replica', w: 8, h: 8, min: 0,
        description: 'Requests queued or running on a worker, per replica.',
        queries: [query('sum by (instance) (modelgate_inflight_requests)', '{{instance}}')],
      }),
    ],
    [
      stateTimeline({
        title: 'Replica scrapes', w: 10, h: 7,
        description: 'up per scrape target: down for 2 minutes fires ModelgateGatewayDown.',
        queries: [query(UP, '{{instance}}')],
        mappings: mappings({ 0: ['down', 'red'], 1: ['up', 'green'] }),
      }),
      table({
        title: 'Model versions', w: 14, h: 7, links: toVersion,
        description: 'Per model version: replicas where it is ready, replicas that loaded it, requests/s and p99 latency (5m).',
        queries: [
          query('sum by (model, version) (modelgate_model_ready)'),
          query('count by (model, version) (modelgate_model_ready)'),
          query(`sum by (model, version) (${RATE})`),
          query('max by (model, version) (model_version:modelgate_request_duration_seconds:p99_rate5m)'),
        ],
        transformations: [
          { id: 'merge', options: {} },
          {
            id: 'organize',
            options: {
              excludeByName: { Time: true },
              indexByName: { model: 0, version: 1, 'Value #A': 2, 'Value #B': 3, 'Value #C': 4, 'Value #D': 5 },
              renameByName: { 'Value #A': 'ready replicas', 'Value #B': 'replicas', 'Value #C': 'requests/s', 'Value #D': 'p99 latency' },
            },
          },
        ],
        overrides: [
          { matcher: { id: 'byName', options: 'requests/s' }, properties: [{ id: 'unit', value: 'reqps' }] },
          { matcher: { id: 'byName', options: 'p99 latency' }, properties: [{ id: 'unit', value: 's' }] },
        ],
      }),
    ],
  ]);
  return dashboard({
    uid: UID.fleet,
    title: 'modelgate / Fleet overview',
    description: 'Every modelgate replica and model version: traffic, errors, latency, queues and batching.',
    variables: [],
    panels,
  });
}
