/**
 * The in-memory form of a model repository and how it is written to disk.
 *
 * Layout (Triton-style), per model:
 *   <root>/<name>/config.yaml                 (absent when `config` is null)
 *   <root>/<name>/<dir>/model.onnx            one per ONNX version
 *   <root>/<name>/<dir>/<file>                extra files (training-data.csv, MODEL_CARD.md; a
 *                                             TensorFlow.js version's model.json and weight shards)
 *   <root>/<name>/<dir>/expected.json         when the version has examples (run through ORT, or
 *                                             through the framework that built a non-ONNX version)
 *
 * Everything except expected.json is a pure function of the seeded build, so
 * `staticFiles` is also what the determinism test compares against the committed tree.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type ort from 'onnxruntime-node';
import { computeExpected, computeExpectedWith, formatJson, type Example } from './expected.ts';
import type { JsonTensor } from './kserve-json.ts';

export interface VersionArtifact {
  /** Directory name: normally a version number, but fixtures also use '0' and 'latest'. */
  dir: string;
  /** model.onnx; absent for a version of another platform, whose artifact is in `files`. */
  onnx?: Uint8Array;
  /** Other files of the version directory, by path relative to it. */
  files: Record<string, string | Uint8Array>;
  /** Runs one example for expected.json when the version has no model.onnx. */
  runExample?: (inputs: readonly JsonTensor[]) => Promise<JsonTensor[]>;
  /** Requests recorded with their outputs in expected.json; none means no expected.json. */
  examples: Example[];
  /** Lines for the build log (training metrics and the like). */
  notes: string[];
  /** Optional post-export check against the written model; returns a log line or throws. */
  verify?: (session: ort.InferenceSession) => Promise<string>;
}

export interface ModelArtifact {
  name: string;
  /** config.yaml text, or null for a model without one. */
  config: string | null;
  versions: VersionArtifact[];
}

/** Every file of a model except expected.json, by path relative to the repository root. */
export function staticFiles(model: ModelArtifact): Map<string, Uint8Array | string> {
  const files = new Map<string, Uint8Array | string>();
  if (model.config !== null) files.set(join(model.name, 'config.yaml'), model.config);
  for (const v of model.versions) {
    if (v.onnx !== undefined) files.set(join(model.name, v.dir, 'model.onnx'), v.onnx);
    for (const [name, text] of Object.entries(v.files)) files.set(join(model.name, v.dir, name), text);
  }
  return files;
}

/**
 * Replaces each model's directory under `root` (stale files go away) and writes its
 * files, including expected.json computed with onnxruntime-node. Other entries of
 * `root` (such as models/build/) are left alone.
 */
export async function writeModels(root: string, models: readonly ModelArtifact[]): Promise<void> {
  for (const model of models) {
    await rm(join(root, model.name), { recursive: true, force: true });
    for (const [path, content] of staticFiles(model)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), content);
    }
    for (const v of model.versions) {
      if (v.examples.length === 0) continue;
      const expected = v.onnx !== undefined
        ? await computeExpected(model.name, v.dir, v.onnx, v.examples)
        : await computeExpectedWith(model.name, v.dir, v.runExample!, v.examples);
      await writeFile(join(root, model.name, v.dir, 'expected.json'), formatJson(expected) + '\n');
    }
  }
}
