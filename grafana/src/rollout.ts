import type { GateName } from '../../gateway/rollout/rollout-spec.ts';
import type { RolloutStatus } from '../../gateway/rollout/rollout-state.ts';
import { dashboard, labelValues, linkTo, UID } from './common.ts';
import type { Dashboard, FieldOverride } from './model.ts';
import { colorByName, layout, mappings, query, row, stat, stateTimeline, table, thresholds, timeseries, type PanelSpec } from './panels.ts';

/**
 * A model's canary rollout: where it stands (status, step, weights, transitions), every
 * gate's value against its threshold as the controller judged it, the candidate next to
 * the baseline (latency, errors, traffic), and the shadow traffic. Rollout series
 * (gateway/monitoring/rollout-metrics.ts) come from the one process that decides: the
 * gateway running the in-process controller, or `modelgate rollout-controller`'s /metrics
 * (replicas following an external controller export none); `max`/`max by` drop its
 * instance labels. Serving series come from the recording rules.
 */

const M = 'model="$model"';
const BASE = `{${M},version="$baseline"}`;
const CAND = `{${M},version="$candidate"}`;
const SHADOW = `${M},shadow_version="$candidate"`;
const toVersion = [linkTo(UID.model, 'Model ${__field.labels.model} version ${__field.labels.version}', true)];

const STATUS_COLORS = { running: 'blue', paused: 'yellow', promoted: 'green', rolled_back: 'red', aborted: 'orange' } as const satisfies Record<RolloutStatus, string>;
/** One state-timeline row per status: filled, in the status's color, while it is the current one. */
const statusRows: FieldOverride[] = Object.entries(STATUS_COLORS).map(([status, color]) => ({
  matcher: { id: 'byName', options: status },
  properties: [{ id: 'mappings', value: mappings({ 0: ['', 'transparent'], 1: [status, color] }) }],
}));
const VERDICT = mappings({ '-1': ['fail', 'red'], 0: ['inconclusive', 'yellow'], 1: ['pass', 'green'] });
/** The threshold series (query B) of a gate panel: a dashed red line. */
const thresholdLine: FieldOverride[] = [{
  matcher: { id: 'byFrameRefID', options: 'B' },
  properties: [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }, { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }],
}];

/** What each gate measures (modelgate_rollout_gate_value) and how it is judged. */
const GATES = {
  error_ratio: { title: 'Error ratio increase', unit: 'percentunit', what: 'Candidate error ratio minus the baseline\'s over the current step. Fails above the threshold (max_increase) when a one-sided two-proportion test agrees (p < alpha).' },
  latency_p99: { title: 'p99 latency ratio', unit: 'none', what: 'Candidate p99 / baseline p99 over the current step. Fails above max_ratio when significantly more than 1% of the candidate\'s requests are slower than max_ratio × the baseline p99.' },
  latency_test: { title: 'Latency test p-value', unit: 'none', what: 'p-value of a one-sided Mann–Whitney U test: is the candidate slower than the baseline by more than the tolerance? Fails BELOW the threshold (alpha).' },
  input_drift: { title: 'Candidate input drift', unit: 'none', what: 'Largest Jensen–Shannon distance (base 2) of a monitored input feature of the candidate from its reference profile. Above max_js the rollout pauses (by default).' },
  output_divergence: { title: 'Output divergence', unit: 'none', what: 'Jensen–Shannon distance (base 2) between the candidate\'s and the baseline\'s output distributions, the most divergent output. Fails above max_js when a χ² test of homogeneity agrees.' },
  shadow_disagreement: { title: 'Shadow disagreement', unit: 'percentunit', what: 'Share of the step\'s mirrored requests where the candidate answered differently. Fails above max_rate when a one-proportion test agrees.' },
} as const satisfies Record<GateName, { title: string; unit: string; what: string }>;

function gatePanel(gate: GateName): PanelSpec {
  const { title, unit, what } = GATES[gate];
  return timeseries({
    title: `${title} (${gate})`, w: 8, h: 7, unit, min: 0, overrides: thresholdLine,
    description: `${what} Values of the controller's decisions; a gap: no verdict (fewer than min_samples requests in the step), or the gate is not configured.`,
    queries: [
      query(`max(modelgate_rollout_gate_value{${M},gate="${gate}"})`, 'value'),
      query(`max(modelgate_rollout_gate_threshold{${M},gate="${gate}"})`, 'threshold'),
    ],
  });
}

const shadowRate = (outcome: string) => `sum(rate(modelgate_shadow_requests_total{${SHADOW},outcome=~"${outcome}"}[$__rate_interval]))`;
const shadowQuantile = (q: number) => `histogram_quantile(${q}, sum by (le) (rate(modelgate_shadow_duration_seconds_bucket{${SHADOW}}[$__rate_interval])))`;

export function rolloutDashboard(): Dashboard {
  const panels = layout([
    [row('Rollout of $model: version $baseline → $candidate')],
    [
      stat({
        title: 'Status', w: 4, h: 4, textMode: 'name', graph: false,
        description: 'running, paused (a gate asked for a human, or too few samples), promoted, rolled_back, aborted.',
        queries: [query(`max by (status) (modelgate_rollout_status{${M}}) == 1`, '{{status}}')],
        overrides: colorByName(STATUS_COLORS),
      }),
      stat({
        title: 'Step', w: 4, h: 4, decimals: 0, graph: false,
        description: 'The current step, counted from 1.',
        queries: [query(`max(modelgate_rollout_step{${M}}) + 1`, 'step')],
      }),
      stat({
        title: 'Candidate weight', w: 4, h: 4, unit: 'percent', min: 0, max: 100,
        description: 'Percent of the model\'s unpinned traffic routed to the candidate.',
        queries: [query(`max(modelgate_rollout_weight{${M},role="candidate"})`, 'candidate')],
      }),
      stat({
        title: 'Gates', w: 4, h: 4, textMode: 'value_and_name', graph: false,
        description: 'Gates failing and inconclusive at the controller\'s last decision.',
        queries: [
          query(`sum(max by (gate) (modelgate_rollout_gate_status{${M}}) == bool -1)`, 'failing'),
          query(`sum(max by (gate) (modelgate_rollout_gate_status{${M}}) == bool 0)`, 'inconclusive'),
        ],
        thresholds: thresholds(['red', 1]),
      }),
      stat({
        title: 'Shadow disagreement', w: 4, h: 4, unit: 'percentunit', decimals: 1,
        description: 'Mirrored requests whose answers differed, of those compared.',
        queries: [query(`${shadowRate('disagreed')} / (${shadowRate('agreed|disagreed')} > 0)`, 'disagreed')],
      }),
      stat({
        title: 'Since the last transition', w: 4, h: 4, unit: 's', graph: false,
        queries: [query(`time() - max(modelgate_rollout_last_transition_timestamp_seconds{${M}})`, 'since')],
      }),
    ],
    [
      timeseries({
        title: 'Traffic weight per version', w: 12, h: 8, unit: 'percent', min: 0, max: 100, stack: true,
        description: 'The split the rollout sets in the traffic policy. Requests that name a version are not split.',
        queries: [query(`max by (version, role) (modelgate_rollout_weight{${M}})`, '{{role}} v{{version}}')],
        overrides: [
          { matcher: { id: 'byRegexp', options: '^baseline' }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'blue' } }] },
          { matcher: { id: 'byRegexp', options: '^candidate' }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'orange' } }] },
        ],
      }),
      stateTimeline({
        title: 'Status over time', w: 12, h: 8,
        description: 'Transitions between statuses: a promotion or a rollback ends the running (or paused) row.',
        queries: [query(`max by (status) (modelgate_rollout_status{${M}})`, '{{status}}')],
        overrides: statusRows,
      }),
    ],
    [
      stateTimeline({
        title: 'Gate verdicts', w: 14, h: 8,
        description: 'Each gate\'s verdict at the controller\'s decisions (every tick): a failing gate rolls back (input_drift: pauses).',
        queries: [query(`max by (gate) (modelgate_rollout_gate_status{${M}})`, '{{gate}}')],
        mappings: VERDICT,
      }),
      table({
        title: 'Transitions (current rollout)', w: 10, h: 8,
        description: 'When each kind of transition last happened: start, advance, promote, rollback, pause, resume, abort. The reasons are in the rollout status (GET /v2/models/$model/rollout) and the audit log.',
        queries: [query(`max by (action) (modelgate_rollout_last_transition_timestamp_seconds{${M}}) * 1000`)],
        transformations: [
          { id: 'organize', options: { excludeByName: { Time: true }, indexByName: { action: 0, Value: 1 }, renameByName: { Value: 'last at' } } },
          { id: 'sortBy', options: { fields: {}, sort: [{ field: 'last at', desc: true }] } },
        ],
        overrides: [{ matcher: { id: 'byName', options: 'last at' }, properties: [{ id: 'unit', value: 'dateTimeAsIso' }] }],
      }),
    ],
    [row('Gates: value against threshold')],
    [gatePanel('error_ratio'), gatePanel('latency_p99'), gatePanel('latency_test')],
    [gatePanel('input_drift'), gatePanel('output_divergence'), gatePanel('shadow_disagreement')],
    [row('Candidate v$candidate vs baseline v$baseline (all replicas, 5m)')],
    [
      timeseries({
        title: 'Latency p50 and p99', w: 12, h: 8, unit: 's', links: toVersion,
        description: 'Arrival to response, every outcome, of the requests each version answered (routed by the rollout or naming the version); mirrored requests are under Shadow latency.',
        queries: [
          query(`model_version:modelgate_request_duration_seconds:p50_rate5m${BASE}`, 'baseline p50'),
          query(`model_version:modelgate_request_duration_seconds:p99_rate5m${BASE}`, 'baseline p99'),
          query(`model_version:modelgate_request_duration_seconds:p50_rate5m${CAND}`, 'candidate p50'),
          query(`model_version:modelgate_request_duration_seconds:p99_rate5m${CAND}`, 'candidate p99'),
        ],
        overrides: colorByName({ 'baseline p50': 'light-blue', 'baseline p99': 'dark-blue', 'candidate p50': 'light-orange', 'candidate p99': 'dark-orange' }),
      }),
      timeseries({
        title: 'Error ratio', w: 6, h: 8, unit: 'percentunit', min: 0, links: toVersion,
        description: 'runtime_error + timeout + rejected over all requests (5m).',
        queries: [
          query(`model_version:modelgate_inference_requests_errors:ratio_rate5m${BASE}`, 'baseline'),
          query(`model_version:modelgate_inference_requests_errors:ratio_rate5m${CAND}`, 'candidate'),
        ],
        overrides: colorByName({ baseline: 'blue', candidate: 'orange' }),
      }),
      timeseries({
        title: 'Requests / s', w: 6, h: 8, unit: 'reqps', min: 0, links: toVersion,
        queries: [
          query(`model_version:modelgate_inference_requests:rate5m${BASE}`, 'baseline'),
          query(`model_version:modelgate_inference_requests:rate5m${CAND}`, 'candidate'),
        ],
        overrides: colorByName({ baseline: 'blue', candidate: 'orange' }),
      }),
    ],
    [row('Shadow traffic: requests mirrored to v$candidate')],
    [
      timeseries({
        title: 'Mirrored requests / s by outcome', w: 8, h: 8, unit: 'reqps', stack: true,
        description: 'agreed or disagreed with the primary\'s answer, shadow_error (the candidate failed), shed (skipped: the candidate was busy). All replicas.',
        queries: [query(`sum by (outcome) (rate(modelgate_shadow_requests_total{${SHADOW}}[$__rate_interval]))`, '{{outcome}}')],
        overrides: colorByName({ agreed: 'green', disagreed: 'red', shadow_error: 'purple', shed: 'orange' }),
      }),
      timeseries({
        title: 'Shadow disagreement ratio', w: 8, h: 8, unit: 'percentunit', min: 0, overrides: thresholdLine,
        description: 'Disagreed over compared mirrored requests, all replicas. Dashed: the shadow_disagreement gate\'s max_rate.',
        queries: [
          query(`${shadowRate('disagreed')} / (${shadowRate('agreed|disagreed')} > 0)`, 'disagreement'),
          query(`max(modelgate_rollout_gate_threshold{${M},gate="shadow_disagreement"})`, 'threshold'),
        ],
      }),
      timeseries({
        title: 'Shadow latency', w: 8, h: 8, unit: 's',
        description: 'Time the candidate took to answer a mirrored request (inference only, no HTTP), all replicas.',
        queries: [query(shadowQuantile(0.5), 'p50'), query(shadowQuantile(0.99), 'p99')],
      }),
    ],
  ]);
  return dashboard({
    uid: UID.rollout,
    title: 'modelgate / Rollouts',
    description: 'A model\'s canary rollout: status, step and weights, every gate against its threshold, candidate vs baseline, and shadow traffic.',
    variables: [
      labelValues('model', 'Model', 'modelgate_rollout_status'),
      labelValues('baseline', 'Baseline', `modelgate_rollout_weight{${M},role="baseline"}`, 3, 'version'),
      labelValues('candidate', 'Candidate', `modelgate_rollout_weight{${M},role="candidate"}`, 3, 'version'),
    ],
    panels,
  });
}
