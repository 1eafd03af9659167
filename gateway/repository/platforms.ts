import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RuntimeName } from '../../runtimes/registry.ts';
import { modelJsonFormat, SAVED_MODEL_ARTIFACT, TFJS_MODEL_JSON } from '../../runtimes/tfjs-format.ts';
import type { PLATFORMS } from './model-config.ts';
import { resolveInside } from './paths.ts';

/**
 * Platforms (config.yaml `platform`, Triton's names where Triton has one), the file
 * that makes a version directory a version of that platform, and the runtime that opens it.
 */
export type Platform = (typeof PLATFORMS)[number];

export const PLATFORM_ARTIFACT: Record<Platform, string> = {
  onnxruntime_onnx: 'model.onnx',
  tfjs_graph_model: TFJS_MODEL_JSON,
  tfjs_layers_model: TFJS_MODEL_JSON,
  tensorflow_savedmodel: SAVED_MODEL_ARTIFACT,
};

export const PLATFORM_RUNTIME: Record<Platform, RuntimeName> = {
  onnxruntime_onnx: 'onnxruntime',
  tfjs_graph_model: 'tfjs',
  tfjs_layers_model: 'tfjs',
  tensorflow_savedmodel: 'tfjs',
};

/** When config.yaml names no platform, the first of these files a version holds decides. */
const DETECTION_ORDER = [PLATFORM_ARTIFACT.onnxruntime_onnx, TFJS_MODEL_JSON, SAVED_MODEL_ARTIFACT];

export interface ResolvedArtifact {
  platform: Platform;
  /** Real path of the artifact, inside the repository. */
  path: string;
}

/** The files that make a version of `platform` (of any platform when undefined), in the order tried. */
export function artifactCandidates(platform: Platform | undefined): readonly string[] {
  return platform !== undefined ? [PLATFORM_ARTIFACT[platform]] : DETECTION_ORDER;
}

/** For messages: "model.onnx", or "model.onnx, model.json or saved_model.pb". */
export function artifactNames(platform: Platform | undefined): string {
  return artifactCandidates(platform).join(', ').replace(/, ([^,]+)$/, ' or $1');
}

/**
 * The artifact of `<root>/<model>/<version>`: the configured platform's file, or (no
 * platform configured) the first of model.onnx, model.json, saved_model.pb found.
 * Undefined when the version holds none (or only one that resolves outside the repository).
 */
export async function findArtifact(root: string, model: string, version: string, configured?: Platform): Promise<string | undefined> {
  for (const file of artifactCandidates(configured)) {
    const found = await resolveInside(root, model, version, file);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The artifact and its platform; a model.json is a graph or layers model by its `format`. */
export async function resolveArtifact(root: string, model: string, version: string, configured?: Platform): Promise<ResolvedArtifact | undefined> {
  const found = await findArtifact(root, model, version, configured);
  if (found === undefined) return undefined;
  return { platform: configured ?? (await detectPlatform(found)), path: found };
}

async function detectPlatform(artifact: string): Promise<Platform> {
  switch (path.basename(artifact)) {
    case SAVED_MODEL_ARTIFACT: return 'tensorflow_savedmodel';
    case TFJS_MODEL_JSON: {
      // An unreadable model.json still counts as a version: the runtime then fails its load with the reason.
      const json: unknown = await readFile(artifact, 'utf8').then((text) => JSON.parse(text), () => undefined);
      return modelJsonFormat(json) === 'layers-model' ? 'tfjs_layers_model' : 'tfjs_graph_model';
    }
    default: return 'onnxruntime_onnx';
  }
}

/**
 * A tfjs platform named in config.yaml must be what model.json holds: tfjs would open a
 * layers model configured as a graph model (or the reverse) as what the file says, and
 * the served metadata would then disagree with the model. Unreadable files are left to
 * the runtime, which fails the load with its own reason.
 */
export async function checkConfiguredPlatform(configured: Platform | undefined, artifact: string): Promise<void> {
  if (configured !== 'tfjs_graph_model' && configured !== 'tfjs_layers_model') return;
  const json: unknown = await readFile(artifact, 'utf8').then((text) => JSON.parse(text), () => undefined);
  const format = modelJsonFormat(json);
  if (format === undefined) return;
  const actual: Platform = format === 'layers-model' ? 'tfjs_layers_model' : 'tfjs_graph_model';
  if (actual !== configured) {
    throw new Error(`config.yaml platform ${configured}, but ${TFJS_MODEL_JSON} is a ${format} (platform ${actual})`);
  }
}
