import { driftDashboard } from './drift.ts';
import { fleetDashboard } from './fleet.ts';
import type { Dashboard } from './model.ts';
import { modelDashboard } from './model-page.ts';
import { rolloutDashboard } from './rollout.ts';

/** Every dashboard, keyed by its file name under grafana/dashboards/. */
export function dashboards(): Map<string, Dashboard> {
  return new Map([
    ['fleet-overview.json', fleetDashboard()],
    ['model.json', modelDashboard()],
    ['drift.json', driftDashboard()],
    ['rollout.json', rolloutDashboard()],
  ]);
}

/** The checked-in text of a dashboard: 2-space JSON and a final newline, so regeneration is byte-stable. */
export const render = (dashboard: Dashboard): string => `${JSON.stringify(dashboard, null, 2)}\n`;
