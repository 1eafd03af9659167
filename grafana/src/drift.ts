import { dashboard, labelValues, UID, VERSION } from './common.ts';
import type { Dashboard, Transformation } from './model.ts';
import { barChart, barGauge, layout, mappings, query, row, stat, stateTimeline, thresholds, timeseries } from './panels.ts';

/**
 * Input and output drift of one monitored model version. Two views, as in
 * deploy/prometheus/README.md ("Drift in PromQL"): the fleet view, PSI over the
 * bin counters of every replica (recording rules, what the drift alerts read),
 * and the in-process view, each replica's own scores over its drift window.
 */

const V = `{${VERSION}}`;
const F = `{${VERSION},feature="$feature"}`;
/** PSI readings: < 0.1 stable, 0.1–0.2 moderate shift (warning), > 0.2 significant (alert). */
const PSI_STEPS = thresholds(['yellow', 0.1], ['red', 0.2]);
const STATUS = mappings({ '-1': ['insufficient data', 'blue'], 0: ['ok', 'green'], 1: ['warn', 'yellow'], 2: ['alert', 'red'] });

/** Rows of bins from two instant table queries (A live, B reference), joined on their labels and sorted by bin number. */
function binsSortedBy(bin: string, exclude: string[]): Transformation[] {
  return [
    { id: 'merge', options: {} },
    { id: 'convertFieldType', options: { conversions: [{ targetField: bin, destinationType: 'number' }], fields: {} } },
    { id: 'sortBy', options: { fields: {}, sort: [{ field: bin, desc: false }] } },
    { id: 'convertFieldType', options: { conversions: [{ targetField: bin, destinationType: 'string' }], fields: {} } },
    {
      id: 'organize',
      options: {
        excludeByName: Object.fromEntries(['Time', ...exclude].map((name) => [name, true])),
        indexByName: {},
        renameByName: { 'Value #A': 'live', 'Value #B': 'reference' },
      },
    },
  ];
}

export function driftDashboard(): Dashboard {
  const outputBins = (rule: string) =>
    `label_join(avg by (output, bin) (${rule}${V}), "output_bin", " bin ", "output", "bin")`;
  const panels = layout([
    [row('Input drift, all replicas (PromQL, 5m window)')],
    [
      timeseries({
        title: 'PSI per feature', w: 16, h: 8, min: 0, thresholds: PSI_STEPS, thresholdStyle: 'dashed',
        description: 'Population Stability Index of each input feature: live rows of the last 5 minutes, summed over replicas, against the reference profile. Dashed: 0.1 warning, 0.2 alert (with enough rows, see "Rows behind the PSI").',
        queries: [query(`model_version_feature:modelgate_input_feature_bin:psi5m${V}`, '{{feature}}')],
      }),
      barGauge({
        title: 'PSI now', w: 8, h: 8, min: 0, decimals: 3, thresholds: PSI_STEPS,
        queries: [query(`model_version_feature:modelgate_input_feature_bin:psi5m${V}`, '{{feature}}')],
      }),
    ],
    [
      barChart({
        title: 'Live vs reference share per bin: $feature', w: 12, h: 9, xField: 'bin', unit: 'percentunit', min: 0,
        description: 'Share of the last 5 minutes\' rows (all replicas) in each reference bin, next to the reference profile\'s share. Bins are the reference\'s quantile bins, numbered from the lowest values.',
        queries: [
          query(`avg by (bin) (model_version_feature_bin:modelgate_input_feature_bin:share5m${F})`),
          query(`avg by (bin) (model_version_feature_bin:modelgate_input_reference_share:avg${F})`),
        ],
        transformations: binsSortedBy('bin', []),
      }),
      timeseries({
        title: 'Rows behind the PSI', w: 6, h: 9, min: 0,
        description: 'Binned rows per feature in the 5m window. The drift alerts need at least 50 rows per bin (the dashed series for $feature): below that, sampling noise alone moves the PSI.',
        queries: [
          query(`model_version_feature:modelgate_input_feature_bin:increase5m${V}`, '{{feature}}'),
          query(`50 * count without (bin) (model_version_feature_bin:modelgate_input_reference_share:avg${F})`, 'alert minimum ({{feature}})'),
        ],
        overrides: [{ matcher: { id: 'byFrameRefID', options: 'B' }, properties: [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }] }],
      }),
      timeseries({
        title: 'Live share per bin over time: $feature', w: 6, h: 9, unit: 'percentunit', min: 0, max: 1, stack: true,
        queries: [query(`model_version_feature_bin:modelgate_input_feature_bin:share5m${F}`, 'bin {{bin}}')],
      }),
    ],
    [row('In-process drift, per replica (the gateway\'s drift window)')],
    [
      timeseries({
        title: 'Drift scores of $feature by replica', w: 12, h: 8,
        description: 'modelgate_drift_score: each replica scores the traffic it saw over its window (psi, js, wasserstein, chi2; ks is a p-value). Scores do not add up across replicas: use the PSI above for the fleet.',
        queries: [query(`modelgate_drift_score${F}`, '{{method}} @ {{instance}}')],
      }),
      stateTimeline({
        title: 'Drift status (worst replica)', w: 12, h: 8,
        description: 'The in-process verdict per input feature and output: insufficient data below min_samples, then ok, warn or alert by the configured method and thresholds.',
        queries: [
          query(`max by (feature) (modelgate_drift_status${V})`, '{{feature}}'),
          query(`max by (output) (modelgate_output_drift_status${V})`, 'output {{output}}'),
        ],
        mappings: STATUS,
      }),
    ],
    [
      stat({
        title: 'Status of $feature', w: 6, h: 4, textMode: 'value_and_name', graph: false, mappings: STATUS,
        queries: [query(`modelgate_drift_status${F}`, '{{instance}}')],
      }),
      stat({
        title: 'Output drift status', w: 6, h: 4, textMode: 'value_and_name', graph: false, mappings: STATUS,
        queries: [query(`modelgate_output_drift_status${V}`, '{{output}} @ {{instance}}')],
      }),
      stat({
        title: 'Drifted features', w: 6, h: 4, unit: 'percentunit', textMode: 'value_and_name',
        description: 'Share of evaluated input features in alert, per replica.',
        queries: [query(`modelgate_drifted_features_ratio${V}`, '{{instance}}')],
        thresholds: thresholds(['red', 0.5]),
      }),
      stat({
        title: 'Rows in the drift window', w: 6, h: 4, textMode: 'value_and_name',
        queries: [query(`modelgate_drift_window_samples${V}`, '{{instance}}')],
      }),
    ],
    [row('Data quality')],
    [
      timeseries({
        title: 'Data-quality events / s', w: 12, h: 8, min: 0,
        description: 'missing (NaN or null), out_of_range (outside the reference min–max), unseen_category, per feature, all replicas (5m).',
        queries: [query(`model_version_feature_kind:modelgate_data_quality_events:rate5m${V}`, '{{feature}} {{kind}}')],
      }),
      timeseries({
        title: 'Share of rows with a problem: $feature', w: 12, h: 8, unit: 'percentunit', min: 0, thresholds: thresholds(['red', 0.05]), thresholdStyle: 'dashed',
        description: 'Events per row dispatched to the model. Dashed: 5%, where ModelgateDataQualitySpike fires after 10 minutes.',
        queries: [query(`model_version_feature_kind:modelgate_data_quality_events_per_row:ratio_rate5m${F}`, '{{kind}}')],
      }),
    ],
    [row('Output drift, all replicas (PromQL, 5m window)')],
    [
      timeseries({
        title: 'Output PSI', w: 8, h: 8, min: 0, thresholds: PSI_STEPS, thresholdStyle: 'dashed',
        queries: [query(`model_version_output:modelgate_output_bin:psi5m${V}`, '{{output}}')],
      }),
      barChart({
        title: 'Output distribution: live vs reference', w: 8, h: 8, xField: 'output_bin', unit: 'percentunit', min: 0,
        description: 'Class shares of a label output (or value bins of a regression output) in the last 5 minutes, next to the reference.',
        queries: [
          query(outputBins('model_version_output_bin:modelgate_output_bin:share5m')),
          query(outputBins('model_version_output_bin:modelgate_output_reference_share:avg')),
        ],
        transformations: binsSortedBy('bin', ['bin', 'output']),
      }),
      timeseries({
        title: 'Output share over time', w: 8, h: 8, unit: 'percentunit', min: 0, max: 1, stack: true,
        queries: [query(`model_version_output_bin:modelgate_output_bin:share5m${V}`, '{{output}} bin {{bin}}')],
      }),
    ],
  ]);
  return dashboard({
    uid: UID.drift,
    title: 'modelgate / Drift',
    description: 'Input and output drift of a monitored model version against its reference profile, and data quality.',
    variables: [
      labelValues('model', 'Model', 'modelgate_input_reference_share'),
      labelValues('version', 'Version', 'modelgate_input_reference_share{model="$model"}', 3),
      labelValues('feature', 'Feature', `modelgate_input_reference_share{${VERSION}}`),
    ],
    panels,
  });
}
