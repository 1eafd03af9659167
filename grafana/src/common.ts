import { DATASOURCE, SCHEMA_VERSION, type Dashboard, type DatasourceVariable, type Panel, type QueryVariable, type Variable } from './model.ts';

/** Every modelgate dashboard carries this tag; the dashboard links list them by it. */
export const TAG = 'modelgate';

/** Stable uids: links (`/d/<uid>`) and provisioning keep working across regenerations. */
export const UID = {
  fleet: 'modelgate-fleet',
  model: 'modelgate-model',
  drift: 'modelgate-drift',
  rollout: 'modelgate-rollout',
} as const;

/** The scrape job of deploy/prometheus/prometheus.yml; the recording rules keep it as a label. */
export const JOB = 'modelgate';

export const datasourceVariable: DatasourceVariable = {
  type: 'datasource', name: 'datasource', label: 'Data source', query: 'prometheus', regex: '', refresh: 1, hide: 0,
  includeAll: false, multi: false, current: {}, options: [],
};

/** A single-valued variable `name`, filled from Prometheus with Grafana's `label_values(selector, label)`. */
export function labelValues(name: string, title: string, selector: string, sort: 1 | 3 = 1, label = name): QueryVariable {
  const query = `label_values(${selector}, ${label})`;
  return {
    type: 'query', name, label: title, datasource: DATASOURCE, query, definition: query, regex: '', refresh: 2, sort, hide: 0,
    includeAll: false, multi: false, current: {}, options: [],
  };
}

/** The selector of the chosen model version, for queries and variables. */
export const VERSION = 'model="$model",version="$version"';

export function dashboard(d: { uid: string; title: string; description: string; variables: Variable[]; panels: Panel[] }): Dashboard {
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: [TAG],
    timezone: 'browser',
    editable: true,
    graphTooltip: 1,
    fiscalYearStartMonth: 0,
    liveNow: false,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    refresh: '30s',
    time: { from: 'now-3h', to: 'now' },
    timepicker: {},
    annotations: { list: [] },
    links: [{
      type: 'dashboards', title: 'modelgate', tags: [TAG], asDropdown: true, includeVars: true, keepTime: true,
      targetBlank: false, icon: 'external link', tooltip: '', url: '',
    }],
    templating: { list: [datasourceVariable, ...d.variables] },
    panels: d.panels,
  };
}

/** A data link from a series with `model` (and `version`) labels to a dashboard of that model. */
export const linkTo = (uid: string, title: string, withVersion: boolean) => ({
  title,
  url: `/d/${uid}?var-datasource=\${datasource}&var-model=\${__field.labels.model}${withVersion ? '&var-version=${__field.labels.version}' : ''}&\${__url_time_range}`,
});
