import path from 'node:path';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.ts';
import { scanRepository, ONNX_ARTIFACT, REFERENCE_PROFILE, type ModelEntry } from '../repository/scan.ts';
import { selectVersions } from '../repository/version-policy.ts';
import { resolveInside } from '../repository/paths.ts';
import { ModelVersion, type VersionObserver } from './model-version.ts';

/** A model of the repository: the versions it should serve, or why it cannot. */
export interface ServedModel {
  entry: ModelEntry;
  versions: Map<number, ModelVersion>;
  /** Model-level failure (bad config, no versions, missing specific versions). */
  error?: string;
}

/**
 * Owns every loaded model version of one repository (load at start, resolve
 * per request, close on shutdown). Resolution is synchronous and cheap: it runs
 * on every request.
 */
export class ModelRegistry {
  private readonly models = new Map<string, ServedModel>();

  constructor(readonly root: string, private readonly log: Logger, private readonly observer?: VersionObserver) {}

  /** Loads every model the repository holds; failures stay per model and never throw. */
  async loadAll(): Promise<void> {
    const entries = await scanRepository(this.root);
    await Promise.all(entries.map((entry) => this.loadModel(entry)));
  }

  private async loadModel(entry: ModelEntry): Promise<void> {
    const served: ServedModel = { entry, versions: new Map() };
    this.models.set(entry.name, served);
    if (entry.error !== undefined) {
      served.error = entry.error;
      this.log.error({ model: entry.name, reason: entry.error }, 'model failed to load');
      return;
    }
    const { selected, missing } = selectVersions(entry.versions, entry.config?.version_policy);
    if (missing.length > 0) served.error = `version_policy asks for versions that are not in the repository: ${missing.join(', ')}`;
    await Promise.all(selected.map(async (version) => {
      const artifact = await resolveInside(this.root, entry.name, String(version), ONNX_ARTIFACT);
      const reference = await resolveInside(this.root, entry.name, String(version), REFERENCE_PROFILE);
      const versionDirectory = (await resolveInside(this.root, entry.name, String(version))) ?? path.join(entry.directory, String(version));
      const loaded = new ModelVersion({
        model: entry.name,
        version,
        artifact: artifact ?? path.join(versionDirectory, ONNX_ARTIFACT),
        versionDirectory,
        config: entry.config,
        reference,
      }, this.observer);
      served.versions.set(version, loaded);
      await loaded.load();
      const fields = { model: entry.name, version, state: loaded.state, loadSeconds: Number(loaded.loadSeconds.toFixed(3)), executionProvider: loaded.executionProvider };
      if (loaded.state === 'READY') {
        this.log.info({ ...fields, manifest: loaded.manifest }, 'model version loaded');
      }
      else this.log.error({ ...fields, reason: loaded.reason }, 'model version failed to load');
    }));
  }

  /** Every version of every model, in any state. */
  *versions(): Iterable<ModelVersion> {
    for (const model of this.models.values()) yield* model.versions.values();
  }

  /** Every model, for listings. */
  list(): ServedModel[] {
    return [...this.models.values()];
  }

  /** True when every model and every selected version loaded. */
  allReady(): boolean {
    for (const model of this.models.values()) {
      if (model.error !== undefined || model.versions.size === 0) return false;
      for (const version of model.versions.values()) if (version.state !== 'READY') return false;
    }
    return true;
  }

  model(name: string): ServedModel {
    const model = this.models.get(name);
    if (model === undefined) throw new GatewayError('MODELGATE_ERR_MODEL_NOT_FOUND', `model "${name}" is not in the repository`);
    return model;
  }

  /**
   * The version that serves a request: the one named, or the latest READY one.
   * Throws 404 for unknown models/versions and 503 when none is ready.
   */
  resolve(name: string, versionText?: string): ModelVersion {
    const model = this.model(name);
    if (versionText !== undefined) {
      const version = this.find(name, versionText);
      if (version.state !== 'READY') {
        throw new GatewayError('MODELGATE_ERR_MODEL_NOT_READY', `model "${name}" version ${version.version} is not ready (${version.state})`);
      }
      return version;
    }
    let latest: ModelVersion | undefined;
    for (const version of model.versions.values()) {
      if (version.state === 'READY' && (latest === undefined || version.version > latest.version)) latest = version;
    }
    if (latest === undefined) {
      throw new GatewayError('MODELGATE_ERR_MODEL_NOT_READY', `model "${name}" has no ready version${model.error ? ` (${model.error})` : ''}`);
    }
    return latest;
  }

  /** The named version in whatever state it is; 404 when the model does not serve it. */
  find(name: string, versionText: string): ModelVersion {
    const model = this.model(name);
    const version = /^[1-9][0-9]{0,8}$/.test(versionText) ? model.versions.get(Number(versionText)) : undefined;
    if (version === undefined) {
      throw new GatewayError('MODELGATE_ERR_VERSION_NOT_FOUND', `model "${name}" has no served version "${versionText}" (served: ${listVersions(model)})`);
    }
    return version;
  }

  async close(force = false): Promise<void> {
    await Promise.all(this.list().flatMap((m) => [...m.versions.values()].map((v) => v.unload(force))));
  }
}

function listVersions(model: ServedModel): string {
  const versions = [...model.versions.keys()].sort((a, b) => a - b);
  return versions.length > 0 ? versions.join(', ') : 'none';
}
