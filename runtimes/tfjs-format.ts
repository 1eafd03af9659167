/**
 * How TensorFlow models lie in a version directory:
 * - `model.json` (+ the weight shards its weightsManifest names): a TensorFlow.js graph
 *   model (tensorflowjs_converter output) or layers model (`model.save()` of tfjs-layers,
 *   or a converted Keras model), told apart by its `format` field;
 * - `saved_model.pb` (+ `variables/`): a TensorFlow SavedModel.
 */
export const TFJS_MODEL_JSON = 'model.json';
export const SAVED_MODEL_ARTIFACT = 'saved_model.pb';

export type ModelJsonFormat = 'graph-model' | 'layers-model';

/**
 * The kind of a parsed model.json: its `format` field when it has one; older files
 * without it are told by their topology (a GraphDef has `node`, Keras JSON `class_name`).
 * Undefined when it is neither.
 */
export function modelJsonFormat(json: unknown): ModelJsonFormat | undefined {
  if (json === null || typeof json !== 'object') return undefined;
  const { format, modelTopology } = json as { format?: unknown; modelTopology?: unknown };
  if (format === 'graph-model' || format === 'layers-model') return format;
  if (format !== undefined) return undefined;
  if (modelTopology === null || typeof modelTopology !== 'object') return undefined;
  if (Array.isArray((modelTopology as { node?: unknown }).node)) return 'graph-model';
  const keras = (modelTopology as { model_config?: unknown }).model_config ?? modelTopology;
  return typeof (keras as { class_name?: unknown }).class_name === 'string' ? 'layers-model' : undefined;
}
