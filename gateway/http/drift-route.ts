import { Hono } from 'hono';
import type { ModelRegistry } from '../models/model-registry.ts';
import type { ModelVersion } from '../models/model-version.ts';
import type { MonitoredSide } from '../monitoring/drift-monitor.ts';
import type { FeatureVerdict } from '../monitoring/drift/detector.ts';
import { GatewayError } from '../errors.ts';

/**
 * `GET /v2/models/{m}[/versions/{v}]/drift`: the current drift verdict of one
 * version, with the reference and live histograms behind every score.
 * JSON numbers only: a score that cannot be computed yet is null.
 */
export function driftRoutes(registry: ModelRegistry): Hono {
  const app = new Hono();
  const report = (served: ModelVersion) => {
    const monitor = served.monitor;
    if (monitor === undefined) {
      throw new GatewayError('MODELGATE_ERR_NOT_FOUND', `model "${served.model}" version ${served.version} is not monitored (no reference.json, or monitoring.enabled is false)`);
    }
    const inputs = describe(monitor.inputs);
    return {
      model_name: served.model,
      model_version: String(served.version),
      status: inputs.verdict.status,
      drifted_share: inputs.verdict.driftedShare,
      evaluated: inputs.verdict.evaluated,
      drifted: inputs.verdict.drifted,
      window: { ...monitor.config.window, rows: inputs.verdict.rows },
      min_samples: monitor.config.minSamples,
      features: inputs.features,
      outputs: describe(monitor.outputs).features,
    };
  };
  app.get('/v2/models/:model/drift', (c) => c.json(report(registry.resolve(c.req.param('model')))));
  app.get('/v2/models/:model/versions/:version/drift', (c) => c.json(report(registry.resolve(c.req.param('model'), c.req.param('version')))));
  return app;
}

function describe(side: MonitoredSide) {
  const verdict = side.verdict();
  const window = side.window.read();
  const features = verdict.features.map((f, index) => {
    const profile = side.features[index]!;
    const counts = Array.from(window.histogram(index));
    const total = counts.reduce((a, b) => a + b, 0);
    return {
      name: f.name,
      kind: f.kind,
      status: f.status,
      method: f.method,
      score: finite(f.score),
      scores: Object.fromEntries(Object.entries(f.scores).map(([k, v]) => [k, finite(v)])),
      samples: f.samples,
      ...quality(f),
      reference: profile.kind === 'numeric'
        ? { edges: profile.edges, shares: profile.shares, min: profile.min, max: profile.max }
        : { categories: [...profile.categories, '(other)'], shares: profile.shares },
      live: { counts, shares: counts.map((n) => (total > 0 ? n / total : 0)) },
    };
  });
  return { verdict, features };
}

function quality(f: FeatureVerdict) {
  return { missing_share: f.missingShare, out_of_range_share: f.outOfRangeShare, unseen_share: f.unseenShare };
}

function finite(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}
