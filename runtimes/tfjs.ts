import path from 'node:path';
import type { LoadOptions, Runtime, RuntimeSession } from './runtime.ts';
import { activate, tfjsVersion } from './tfjs-engine.ts';
import { readModelJson } from './tfjs-io.ts';
import { modelJsonFormat, SAVED_MODEL_ARTIFACT } from './tfjs-format.ts';
import { GraphSession, LayersSession } from './tfjs-model-json.ts';
import { loadSavedModel } from './tfjs-saved-model.ts';

/**
 * The TensorFlow.js runtime: graph models and layers models (model.json + weight shards)
 * on the backend tfjs-backend.ts picks, and SavedModels through tfjs-node's binding.
 *
 * tfjs is imported on the first load, not with this module: ONNX-only processes and
 * threads never pay for it. A thread has one tfjs engine, so the backend is chosen once
 * per thread (one worker = one session, so once per session in the pool).
 */
export const tfjsRuntime: Runtime = {
  name: 'tfjs',
  get version(): string {
    return tfjsVersion();
  },
  async load(options: LoadOptions): Promise<RuntimeSession> {
    if (options.device === 'gpu' && (options.deviceId ?? 0) !== 0) {
      // TensorFlow places ops itself on the GPUs the process sees; one thread cannot pick another.
      throw new Error(`TensorFlow.js runs on GPU 0 of those CUDA_VISIBLE_DEVICES shows; device id ${options.deviceId} cannot be chosen per model`);
    }
    const engine = await activate(options);
    if (path.basename(options.modelPath) === SAVED_MODEL_ARTIFACT) return loadSavedModel(engine, path.dirname(options.modelPath));
    const source = await readModelJson(options.modelPath);
    const format = modelJsonFormat(source.json);
    const handler = { load: () => engine.tf.io.getModelArtifactsForJSON(source.json, source.loadWeights) };
    if (format === 'graph-model') {
      const converter = await import('@tensorflow/tfjs-converter');
      return GraphSession.open(engine, await converter.loadGraphModel(handler));
    }
    if (format === 'layers-model') {
      const layers = await import('@tensorflow/tfjs-layers');
      return new LayersSession(engine, await layers.loadLayersModel(handler));
    }
    throw new Error('model.json is neither a graph model nor a layers model (its "format" and modelTopology say neither)');
  },
};
