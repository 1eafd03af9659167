import { Hono } from 'hono';
import type { ModelRegistry } from '../models/model-registry.ts';
import type { ModelVersion } from '../models/model-version.ts';

/** Config platform → the KServe v2 metadata platform name. */
const METADATA_PLATFORM: Record<string, string> = { onnxruntime_onnx: 'onnx_onnxv1' };

/** KServe v2 model metadata and model readiness. */
export function modelRoutes(registry: ModelRegistry): Hono {
  const app = new Hono();

  const metadata = (served: ModelVersion, versions: string[]) => ({
    name: served.model,
    versions,
    platform: METADATA_PLATFORM[served.platform] ?? served.platform,
    inputs: served.signature?.inputs ?? [],
    outputs: served.signature?.outputs ?? [],
    // What exactly serves: every file's sha256, the config hash, the runtime (see README "Reproducibility").
    parameters: {
      manifest: served.manifest,
      // Collaboration: the owner, description, data and metrics from config.yaml, and the version's MODEL_CARD.md.
      metadata: served.source.config?.metadata ?? {},
      model_card: served.modelCard ?? null,
    },
  });

  app.get('/v2/models/:model', (c) => {
    const name = c.req.param('model');
    const served = registry.resolve(name);
    const ready = [...registry.model(name).versions.values()].filter((v) => v.state === 'READY');
    return c.json(metadata(served, ready.map((v) => String(v.version)).sort((a, b) => Number(a) - Number(b))));
  });

  app.get('/v2/models/:model/versions/:version', (c) => {
    const served = registry.resolve(c.req.param('model'), c.req.param('version'));
    return c.json(metadata(served, [String(served.version)]));
  });

  // Readiness answers 400 for "exists but not ready", as the protocol asks; unknown names are 404.
  app.get('/v2/models/:model/ready', (c) => {
    const name = c.req.param('model');
    const ready = [...registry.model(name).versions.values()].some((v) => v.ready);
    return ready ? c.json({ name, ready }) : c.json({ name, ready, error: `model "${name}" has no ready version` }, 400);
  });
  app.get('/v2/models/:model/versions/:version/ready', (c) => {
    const name = c.req.param('model');
    const version = c.req.param('version');
    const served = registry.find(name, version);
    const ready = served.ready;
    return ready
      ? c.json({ name, version, ready })
      : c.json({ name, version, ready, error: `model "${name}" version ${version} is ${served.state === 'READY' ? 'READY but its workers keep dying' : served.state}` }, 400);
  });
  return app;
}
