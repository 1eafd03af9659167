/**
 * The subset of Grafana's dashboard JSON model (schemaVersion 39, Grafana 10.4/11)
 * that the modelgate dashboards use. Written by hand from the documented model
 * (https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/);
 * only the fields set here are typed.
 */

export const SCHEMA_VERSION = 39;

/** Every query goes to the data source chosen in the `datasource` template variable. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;
export type DataSourceRef = typeof DATASOURCE;

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Target {
  refId: string;
  datasource: DataSourceRef;
  editorMode: 'code';
  expr: string;
  legendFormat?: string;
  /** Range query (time series panels) or instant query (tables, bar charts, current values). */
  range: boolean;
  instant: boolean;
  format: 'time_series' | 'table' | 'heatmap';
}

export interface ThresholdStep {
  color: string;
  value: number | null;
}

export type ValueMapping = {
  type: 'value';
  options: Record<string, { text: string; color: string; index: number }>;
};

export interface FieldOverride {
  matcher: { id: 'byName' | 'byFrameRefID' | 'byRegexp'; options: string };
  properties: { id: string; value: unknown }[];
}

export interface FieldConfig {
  defaults: {
    unit?: string;
    min?: number;
    max?: number;
    decimals?: number;
    color?: { mode: string; fixedColor?: string };
    thresholds?: { mode: 'absolute' | 'percentage'; steps: ThresholdStep[] };
    mappings?: ValueMapping[];
    links?: { title: string; url: string }[];
    custom?: Record<string, unknown>;
  };
  overrides: FieldOverride[];
}

export interface Transformation {
  id: string;
  options: Record<string, unknown>;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: GridPos;
  datasource?: DataSourceRef;
  targets?: Target[];
  fieldConfig?: FieldConfig;
  options?: Record<string, unknown>;
  transformations?: Transformation[];
  /** Row panels only. */
  collapsed?: boolean;
  panels?: Panel[];
}

export interface DatasourceVariable {
  type: 'datasource';
  name: string;
  label: string;
  query: 'prometheus';
  regex: '';
  refresh: 1;
  hide: 0;
  includeAll: false;
  multi: false;
  current: Record<string, never>;
  options: [];
}

export interface QueryVariable {
  type: 'query';
  name: string;
  label: string;
  datasource: DataSourceRef;
  /** Grafana's Prometheus variable functions, e.g. `label_values(metric{...}, label)`. */
  query: string;
  definition: string;
  regex: '';
  /** 2: on time range change, so versions that come and go show up. */
  refresh: 2;
  /** 1: alphabetical, 3: numerical, ascending. */
  sort: 1 | 3;
  hide: 0;
  includeAll: false;
  multi: false;
  current: Record<string, never>;
  options: [];
}

export type Variable = DatasourceVariable | QueryVariable;

export interface DashboardLink {
  type: 'dashboards';
  title: string;
  tags: string[];
  asDropdown: boolean;
  includeVars: boolean;
  keepTime: boolean;
  targetBlank: false;
  icon: 'external link';
  tooltip: '';
  url: '';
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  timezone: 'browser';
  editable: true;
  graphTooltip: 1;
  fiscalYearStartMonth: 0;
  liveNow: false;
  schemaVersion: number;
  version: 1;
  refresh: string;
  time: { from: string; to: string };
  timepicker: Record<string, never>;
  annotations: { list: [] };
  links: DashboardLink[];
  templating: { list: Variable[] };
  panels: Panel[];
}
