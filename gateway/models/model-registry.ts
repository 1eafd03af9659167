import path from 'node:path';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.ts';
import { scanOneModel, scanRepository, REFERENCE_PROFILE, type ModelEntry } from '../repository/scan.ts';
import { PLATFORM_ARTIFACT, resolveArtifact } from '../repository/platforms.ts';
import { selectVersions } from '../repository/version-policy.ts';
import { resolveInside } from '../repository/paths.ts';
import { configSha256, formatLock, hashVersionFiles } from '../repository/manifest.ts';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../repository/atomic-write.ts';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { TrafficPolicy } from '../routing/traffic-policy.ts';

/** A model's traffic policy file, beside its config.yaml. */
export const TRAFFIC_POLICY = 'traffic.yaml';
import { ModelVersion, type VersionObserver } from './model-version.ts';

/** A model of the repository: the versions it serves, or why it cannot. */
export interface ServedModel {
  entry: ModelEntry;
  versions: Map<number, ModelVersion>;
  /** Model-level failure (bad config, no versions, missing specific versions) of the last load. */
  error?: string;
  /** False once unloaded through the management API: readiness no longer waits for it. */
  wanted: boolean;
  /** How requests that name no version are split (traffic.yaml or the management API). */
  traffic?: TrafficPolicy;
}

/**
 * Owns every loaded model version of one repository (load at start, load and
 * unload on demand, resolve per request, close on shutdown). Resolution is
 * synchronous and cheap: it runs on every request. Loads and unloads of one
 * model are serialized; a new version replaces an old one only once it loaded.
 */
export class ModelRegistry {
  private readonly models = new Map<string, ServedModel>();
  /** Per model, the tail of its chain of load/unload operations. */
  private readonly operations = new Map<string, Promise<unknown>>();

  constructor(readonly root: string, private readonly log: Logger, private readonly observer?: VersionObserver) {}

  /**
   * Loads every model the repository holds (or only `only`, explicit mode);
   * failures stay per model and never throw.
   */
  async loadAll(only?: readonly string[]): Promise<void> {
    const entries = (await scanRepository(this.root)).filter((e) => only === undefined || only.includes(e.name));
    await Promise.all(entries.map((entry) => this.serialized(entry.name, () => this.apply(entry))));
  }

  /**
   * (Re)loads one model from the repository as it is now: new or changed
   * versions load next to the serving ones and replace them once READY;
   * versions no longer selected drain and unload. A version that fails to load
   * leaves the one it would replace serving. Throws 404 when the repository has no such model.
   */
  load(name: string): Promise<ServedModel> {
    return this.serialized(name, async () => {
      const entry = await scanOneModel(this.root, name);
      if (entry === undefined) throw new GatewayError('MODELGATE_ERR_MODEL_NOT_FOUND', `model "${name}" is not in the repository`);
      return this.apply(entry);
    });
  }

  /** Drains and unloads every version of a model; it stays listed, not wanted. */
  unload(name: string): Promise<ServedModel> {
    return this.serialized(name, async () => {
      const model = this.model(name);
      model.wanted = false;
      const versions = [...model.versions.values()];
      model.versions.clear();
      await Promise.all(versions.map((v) => v.unload()));
      this.log.info({ model: name, versions: versions.map((v) => v.version) }, 'model unloaded');
      return model;
    });
  }

  private serialized<T>(name: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.operations.get(name) ?? Promise.resolve();
    const next = previous.then(operation, operation);
    this.operations.set(name, next.catch(() => undefined));
    return next;
  }

  private async apply(entry: ModelEntry): Promise<ServedModel> {
    const served = this.models.get(entry.name) ?? { entry, versions: new Map<number, ModelVersion>(), wanted: true };
    this.models.set(entry.name, served);
    served.entry = entry;
    served.wanted = true;
    delete served.error;
    if (entry.error !== undefined) {
      served.error = entry.error;
      this.log.error({ model: entry.name, reason: entry.error }, 'model failed to load');
      return served;
    }
    const { selected, missing } = selectVersions(entry.versions, entry.config?.version_policy);
    if (missing.length > 0) served.error = `version_policy asks for versions that are not in the repository: ${missing.join(', ')}`;
    await Promise.all(selected.map(async (version) => {
      const current = served.versions.get(version);
      if (current?.state === 'READY' && (await this.unchanged(current, entry))) return;
      const loaded = await this.openVersion(entry, version);
      if (loaded.state === 'READY' || current === undefined || current.state !== 'READY') {
        served.versions.set(version, loaded);
        await current?.unload();
      } else {
        // The new load failed: the version that was serving keeps serving.
        await loaded.unload();
      }
    }));
    await this.reloadTraffic(entry.name).catch((error: Error) => this.log.error({ model: entry.name, reason: error.message }, 'traffic policy not applied'));
    const retired = [...served.versions.values()].filter((v) => !selected.includes(v.version));
    for (const version of retired) served.versions.delete(version.version);
    await Promise.all(retired.map((v) => v.unload()));
    return served;
  }

  /**
   * Re-reads `<model>/traffic.yaml` (absent: no policy, the latest version serves).
   * A policy naming a version that is not served is refused and the previous one stays.
   */
  async reloadTraffic(name: string): Promise<void> {
    const model = this.models.get(name);
    if (model === undefined) return;
    const file = await resolveInside(this.root, name, TRAFFIC_POLICY);
    if (file === undefined) {
      delete model.traffic;
      return;
    }
    const policy = TrafficPolicy.parse(parseYaml(await readFile(file, 'utf8')), `${name}/${TRAFFIC_POLICY}`);
    this.checkServed(model, policy);
    model.traffic = policy;
    this.log.info({ model: name, traffic: policy.spec.versions }, 'traffic policy applied');
  }

  /** reloadTraffic() in the model's queue of operations (the file watcher's entry point). */
  refreshTraffic(name: string): Promise<void> {
    return this.serialized(name, () => this.reloadTraffic(name));
  }

  /** Validates, writes (atomically) and applies a model's traffic policy. Throws 400 naming the problem. */
  async setTraffic(name: string, raw: unknown): Promise<TrafficPolicy> {
    return this.serialized(name, async () => {
      const model = this.model(name);
      let policy: TrafficPolicy;
      try {
        policy = TrafficPolicy.parse(raw, 'traffic policy');
        this.checkServed(model, policy);
      } catch (error) {
        throw new GatewayError('MODELGATE_ERR_BAD_REQUEST', (error as Error).message);
      }
      await writeFileAtomic(path.join(model.entry.directory, TRAFFIC_POLICY), stringifyYaml(policy.spec));
      model.traffic = policy;
      this.log.info({ model: name, traffic: policy.spec.versions }, 'traffic policy applied');
      return policy;
    });
  }

  private checkServed(model: ServedModel, policy: TrafficPolicy): void {
    const missing = policy.versions.filter((v) => model.versions.get(v)?.state !== 'READY');
    if (missing.length > 0) {
      throw new Error(`traffic policy names versions that are not served: ${missing.join(', ')} (served: ${listVersions(model)})`);
    }
  }

  /** Same files (by hash) and same config as the serving instance: nothing to reload. */
  private async unchanged(current: ModelVersion, entry: ModelEntry): Promise<boolean> {
    if (current.manifest === undefined || current.manifest.configSha256 !== configSha256(entry.config)) return false;
    try {
      return formatLock(await hashVersionFiles(current.source.versionDirectory)) === formatLock(current.manifest.files);
    } catch {
      return false;
    }
  }

  private async openVersion(entry: ModelEntry, version: number): Promise<ModelVersion> {
    const artifact = await resolveArtifact(this.root, entry.name, String(version), entry.config?.platform);
    const reference = await resolveInside(this.root, entry.name, String(version), REFERENCE_PROFILE);
    const versionDirectory = (await resolveInside(this.root, entry.name, String(version))) ?? path.join(entry.directory, String(version));
    const loaded = new ModelVersion({
      model: entry.name,
      version,
      artifact: artifact?.path ?? path.join(versionDirectory, PLATFORM_ARTIFACT[entry.config?.platform ?? 'onnxruntime_onnx']),
      platform: artifact?.platform,
      versionDirectory,
      config: entry.config,
      reference,
    }, this.observer);
    await loaded.load();
    const fields = { model: entry.name, version, state: loaded.state, loadSeconds: Number(loaded.loadSeconds.toFixed(3)), executionProvider: loaded.executionProvider };
    for (const warning of loaded.placementWarnings) this.log.warn({ model: entry.name, version, warning }, 'model version runs on a fallback device');
    if (loaded.state === 'READY') this.log.info({ ...fields, manifest: loaded.manifest }, 'model version loaded');
    else this.log.error({ ...fields, reason: loaded.reason }, 'model version failed to load');
    return loaded;
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
      if (!model.wanted) continue;
      if (model.error !== undefined || model.versions.size === 0) return false;
      for (const version of model.versions.values()) if (!version.ready) return false;
    }
    return true;
  }

  model(name: string): ServedModel {
    const model = this.models.get(name);
    if (model === undefined) throw new GatewayError('MODELGATE_ERR_MODEL_NOT_FOUND', `model "${name}" is not in the repository`);
    return model;
  }

  /**
   * The version that serves a request: the one named (always wins), else the
   * traffic policy's choice (sticky by the policy's header, read through `header`),
   * else the latest READY one.
   * Throws 404 for unknown models/versions and 503 when none is ready.
   */
  resolve(name: string, versionText?: string, header?: (name: string) => string | undefined): ModelVersion {
    const model = this.model(name);
    if (versionText !== undefined) {
      const version = this.find(name, versionText);
      if (version.state !== 'READY') {
        throw new GatewayError('MODELGATE_ERR_MODEL_NOT_READY', `model "${name}" version ${version.version} is not ready (${version.state})`);
      }
      return version;
    }
    // The traffic policy decides, among its versions that are ready; else the latest ready version.
    const traffic = model.traffic;
    const chosen = traffic === undefined ? undefined : model.versions.get(traffic.choose(header?.(traffic.spec.sticky_header)));
    if (chosen?.state === 'READY') return chosen;
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
