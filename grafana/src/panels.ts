import { DATASOURCE, type FieldConfig, type FieldOverride, type Panel, type Target, type ThresholdStep, type Transformation, type ValueMapping } from './model.ts';

/**
 * Small typed builders for the panels the dashboards use. A builder returns a
 * panel without `id` and `gridPos`; `layout()` places the panels band by band and
 * numbers them, so ids are unique and positions never overlap by construction.
 */

export interface Query {
  expr: string;
  legend?: string;
  /** Default: range for time series panels, instant for tables and bar charts. */
  instant?: boolean;
  format?: Target['format'];
}

export const query = (expr: string, legend?: string): Query => (legend === undefined ? { expr } : { expr, legend });

export type PanelSpec = Omit<Panel, 'id' | 'gridPos'> & { w: number; h: number };

interface Common {
  title: string;
  description?: string;
  w: number;
  h: number;
  queries: Query[];
  unit?: string;
  min?: number;
  max?: number;
  decimals?: number;
  thresholds?: ThresholdStep[];
  mappings?: ValueMapping[];
  overrides?: FieldOverride[];
  links?: { title: string; url: string }[];
  transformations?: Transformation[];
}

const refId = (i: number): string => String.fromCharCode(65 + i);

function targets(queries: Query[], instant: boolean, format: Target['format']): Target[] {
  return queries.map((q, i) => {
    const isInstant = q.instant ?? instant;
    const target: Target = { refId: refId(i), datasource: DATASOURCE, editorMode: 'code', expr: q.expr, range: !isInstant, instant: isInstant, format: q.format ?? format };
    if (q.legend !== undefined) target.legendFormat = q.legend;
    return target;
  });
}

function fieldConfig(c: Common, custom: Record<string, unknown>, color: FieldConfig['defaults']['color']): FieldConfig {
  const defaults: FieldConfig['defaults'] = {};
  if (c.unit !== undefined) defaults.unit = c.unit;
  if (c.min !== undefined) defaults.min = c.min;
  if (c.max !== undefined) defaults.max = c.max;
  if (c.decimals !== undefined) defaults.decimals = c.decimals;
  if (color !== undefined) defaults.color = color;
  defaults.thresholds = { mode: 'absolute', steps: c.thresholds ?? [{ color: 'green', value: null }] };
  if (c.mappings !== undefined) defaults.mappings = c.mappings;
  if (c.links !== undefined) defaults.links = c.links;
  if (Object.keys(custom).length > 0) defaults.custom = custom;
  return { defaults, overrides: c.overrides ?? [] };
}

function panel(type: string, c: Common, instant: boolean, format: Target['format'], custom: Record<string, unknown>, options: Record<string, unknown>, color?: FieldConfig['defaults']['color']): PanelSpec {
  return {
    type, title: c.title, w: c.w, h: c.h,
    ...(c.description === undefined ? {} : { description: c.description }),
    datasource: DATASOURCE, targets: targets(c.queries, instant, format), fieldConfig: fieldConfig(c, custom, color), options,
    ...(c.transformations === undefined ? {} : { transformations: c.transformations }),
  };
}

const legend = (placement: 'bottom' | 'right' = 'bottom') => ({ showLegend: true, displayMode: 'list', placement, calcs: [] });
const tooltip = { mode: 'multi', sort: 'desc' };
const lastValue = { calcs: ['lastNotNull'], fields: '', values: false };

export function timeseries(c: Common & { stack?: boolean; thresholdStyle?: 'line' | 'dashed' | 'line+area'; fill?: number }): PanelSpec {
  const custom: Record<string, unknown> = {
    drawStyle: 'line', lineWidth: 1, fillOpacity: c.fill ?? (c.stack === true ? 60 : 10), showPoints: 'never', spanNulls: false,
    stacking: { mode: c.stack === true ? 'normal' : 'none', group: 'A' },
    thresholdsStyle: { mode: c.thresholdStyle ?? 'off' },
  };
  return panel('timeseries', c, false, 'time_series', custom, { legend: legend(), tooltip }, { mode: 'palette-classic' });
}

export function stat(c: Common & { textMode?: 'auto' | 'value' | 'name' | 'value_and_name'; graph?: boolean }): PanelSpec {
  return panel('stat', c, false, 'time_series', {}, {
    reduceOptions: lastValue, orientation: 'auto', textMode: c.textMode ?? 'auto', colorMode: 'value',
    graphMode: c.graph === false ? 'none' : 'area', justifyMode: 'auto',
  }, { mode: 'thresholds' });
}

export function stateTimeline(c: Common): PanelSpec {
  return panel('state-timeline', c, false, 'time_series', { lineWidth: 0, fillOpacity: 80 }, {
    mergeValues: true, showValue: 'auto', alignValue: 'left', rowHeight: 0.9, legend: legend(), tooltip: { mode: 'single', sort: 'none' },
  }, { mode: 'thresholds' });
}

export function table(c: Common): PanelSpec {
  return panel('table', c, true, 'table', { align: 'auto', cellOptions: { type: 'auto' }, inspect: false }, {
    showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], countRows: false, fields: '' },
  });
}

/** Current values as horizontal bars; colored by the thresholds when given, else by value on a continuous scale. */
export function barGauge(c: Common): PanelSpec {
  return panel('bargauge', c, true, 'time_series', {}, {
    reduceOptions: lastValue, orientation: 'horizontal', displayMode: 'gradient', showUnfilled: true, valueMode: 'color', namePlacement: 'auto', sizing: 'auto', minVizHeight: 16, minVizWidth: 8, maxVizHeight: 300,
  }, { mode: c.thresholds === undefined ? 'continuous-BlYlRd' : 'thresholds' });
}

export function barChart(c: Common & { xField: string }): PanelSpec {
  return panel('barchart', c, true, 'table', { lineWidth: 1, fillOpacity: 80, gradientMode: 'none', axisPlacement: 'auto' }, {
    xField: c.xField, orientation: 'vertical', groupWidth: 0.7, barWidth: 0.9, showValue: 'never', stacking: 'none', xTickLabelRotation: 0, xTickLabelSpacing: 0,
    legend: legend(), tooltip,
  }, { mode: 'palette-classic' });
}

/** Prometheus histogram buckets over time (`format: heatmap` turns cumulative `le` buckets into per-bucket counts). */
export function heatmap(c: Common): PanelSpec {
  return panel('heatmap', c, false, 'heatmap', {}, {
    calculate: false, yAxis: { axisPlacement: 'left', unit: c.unit ?? 'short' }, rowsFrame: { layout: 'auto' },
    color: { mode: 'scheme', scheme: 'Oranges', fill: 'dark-orange', scale: 'exponential', exponent: 0.5, steps: 64, reverse: false },
    cellGap: 1, filterValues: { le: 1e-9 }, showValue: 'never', tooltip: { mode: 'single', yHistogram: true }, legend: { show: true },
    exemplars: { color: 'rgba(255,0,255,0.7)' },
  });
}

export function row(title: string): PanelSpec {
  return { type: 'row', title, w: 24, h: 1, collapsed: false, panels: [] };
}

/**
 * Places bands of panels top to bottom, each band left to right, and numbers every
 * panel from 1. A band is at most 24 columns wide; its height is its tallest panel's.
 */
export function layout(bands: PanelSpec[][]): Panel[] {
  const panels: Panel[] = [];
  let y = 0;
  for (const band of bands) {
    let x = 0;
    for (const { w, h, type, title, ...rest } of band) {
      if (x + w > 24) throw new Error(`band with "${title}" is wider than 24 columns`);
      panels.push({ id: panels.length + 1, type, title, gridPos: { x, y, w, h }, ...rest });
      x += w;
    }
    y += Math.max(0, ...band.map((p) => p.h));
  }
  return panels;
}

// Shared field settings.

export const mappings = (values: Record<string, [text: string, color: string]>): ValueMapping[] => [{
  type: 'value',
  options: Object.fromEntries(Object.entries(values).map(([value, [text, color]], index) => [value, { text, color, index }])),
}];

export const thresholds = (...steps: [color: string, value: number][]): ThresholdStep[] => [{ color: 'green', value: null }, ...steps.map(([color, value]) => ({ color, value }))];

export const colorByName = (colors: Record<string, string>): FieldOverride[] =>
  Object.entries(colors).map(([name, color]) => ({ matcher: { id: 'byName', options: name }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: color } }] }));
