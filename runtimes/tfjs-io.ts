import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { io } from '@tensorflow/tfjs-core';

/**
 * Reads a TensorFlow.js model (model.json and its weight shards) from the file system.
 *
 * Shards are named by `weightsManifest[].paths`, relative to the directory of model.json
 * (the version directory). The manifest comes with the model, so it is not trusted: a
 * path that is absolute, a URL, or that leads out of that directory (`..`, or a symlink
 * whose real path lies elsewhere) fails the load instead of being read. Messages name
 * shards as the manifest writes them, never by their location on disk.
 */

/** The parsed model.json and a loader for its weights, as `tf.io.getModelArtifactsForJSON` takes them. */
export interface ModelJsonSource {
  json: io.ModelJSON;
  loadWeights(manifest: io.WeightsManifestConfig): Promise<[io.WeightsManifestEntry[], ArrayBuffer]>;
}

export async function readModelJson(modelJsonPath: string): Promise<ModelJsonSource> {
  let json: io.ModelJSON;
  try {
    json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as io.ModelJSON;
  } catch (error) {
    throw new Error(`model.json is not valid JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (json === null || typeof json !== 'object' || json.modelTopology === undefined) {
    throw new Error('model.json has no modelTopology');
  }
  const directory = path.dirname(modelJsonPath);
  return { json, loadWeights: (manifest) => loadWeights(directory, manifest) };
}

async function loadWeights(directory: string, manifest: io.WeightsManifestConfig): Promise<[io.WeightsManifestEntry[], ArrayBuffer]> {
  if (!Array.isArray(manifest)) throw new Error('model.json: weightsManifest must be a list of {paths, weights}');
  const specs: io.WeightsManifestEntry[] = [];
  const shards: Buffer[] = [];
  for (const [g, group] of manifest.entries()) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights)) {
      throw new Error(`model.json: weightsManifest[${g}] needs "paths" and "weights" lists`);
    }
    for (const shard of group.paths) shards.push(await readFile(await shardPath(directory, shard)));
    specs.push(...group.weights);
  }
  const all = Buffer.concat(shards);
  // A fresh ArrayBuffer holding exactly the shard bytes (Buffer.concat may use a pooled one).
  return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer];
}

/** The real path of one shard, checked to lie inside `directory`. Exported for tests. */
export async function shardPath(directory: string, shard: unknown): Promise<string> {
  if (typeof shard !== 'string' || shard === '') throw new Error('model.json: weightsManifest paths must be non-empty strings');
  if (path.isAbsolute(shard) || path.win32.isAbsolute(shard) || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(shard)) {
    throw new Error(`model.json: weights path "${shard}" is absolute or a URL; it must be relative to the version directory`);
  }
  const lexical = path.resolve(directory, shard);
  if (!isInside(directory, lexical)) {
    throw new Error(`model.json: weights path "${shard}" escapes the version directory`);
  }
  let real: string;
  try {
    real = await realpath(lexical);
  } catch {
    throw new Error(`model.json: weights file "${shard}" does not exist`);
  }
  if (!isInside(await realpath(directory), real)) {
    throw new Error(`model.json: weights path "${shard}" resolves outside the version directory (a symlink?); refusing to read it`);
  }
  return real;
}

function isInside(directory: string, candidate: string): boolean {
  const relative = path.relative(directory, candidate);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
