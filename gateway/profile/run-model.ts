import type { RuntimeSession } from '../../runtimes/runtime.ts';
import type { NamedTensors } from '../../runtimes/tensor.ts';
import type { InputBinding } from './input-mapping.ts';
import type { OutputFeature } from './output-features.ts';
import { ProfileError } from './profile-error.ts';
import { allocate, readElement, type ModelValue, type ProfileValue } from './tensor-values.ts';

/**
 * Runs the model in process over the sampled rows, in batches, and returns each output
 * feature's values (one per row; null for rows that were not run because an input value
 * was missing). Inference on the main thread is fine here: this is an offline command.
 */
export const PROFILE_BATCH_SIZE = 256;

export interface ModelRows {
  bindings: readonly InputBinding[];
  /** values[b][c][r]: model value of binding b, column c, row r. */
  values: readonly (readonly (readonly ModelValue[])[])[];
  /** File line of each row, for messages. */
  lines: readonly number[];
  /** Where the rows came from, for messages. */
  file: string;
}

export interface OutputValues {
  values: ProfileValue[][];
  /** Rows run through the model. */
  rowsRun: number;
}

export async function runOutputs(session: RuntimeSession, rows: ModelRows, features: readonly OutputFeature[]): Promise<OutputValues> {
  const count = rows.lines.length;
  const values = features.map(() => new Array<ProfileValue>(count).fill(null));
  if (features.length === 0) return { values, rowsRun: 0 };
  const runnable: number[] = [];
  for (let r = 0; r < count; r++) {
    if (rows.values.every((binding) => binding.every((column) => column[r] !== null))) runnable.push(r);
  }
  // A model whose first dimension is fixed (max_batch_size 0, shape [1, …]) runs one row at a time.
  const batchable = [...rows.bindings.map((b) => b.input), ...features.map((f) => f.output)].every((t) => t.shape[0] === -1);
  const batchSize = batchable ? PROFILE_BATCH_SIZE : 1;
  const outputNames = [...new Set(features.map((f) => f.output.name))];
  for (let start = 0; start < runnable.length; start += batchSize) {
    const batch = runnable.slice(start, start + batchSize);
    let result: NamedTensors;
    try {
      result = await session.run(tensorsFor(rows, batch), outputNames);
    } catch (error) {
      throw await locateFailure(session, rows, batch, outputNames, error);
    }
    features.forEach((feature, f) => {
      const tensor = result[feature.output.name];
      if (tensor === undefined || tensor.shape[0] !== batch.length || tensor.data.length !== batch.length * feature.width) {
        throw new ProfileError(
          `output "${feature.output.name}": expected ${batch.length} rows of ${feature.width}, got shape [${tensor?.shape.join(', ') ?? ''}]`,
        );
      }
      const column = values[f] as ProfileValue[];
      batch.forEach((r, i) => {
        column[r] = readElement(tensor.data, tensor.datatype, i * feature.width + (feature.column ?? 0));
      });
    });
  }
  return { values, rowsRun: runnable.length };
}

function tensorsFor(rows: ModelRows, batch: readonly number[]): NamedTensors {
  const tensors: NamedTensors = {};
  rows.bindings.forEach((binding, b) => {
    const columns = rows.values[b] as readonly (readonly ModelValue[])[];
    const width = columns.length;
    const { data, set } = allocate(binding.input.datatype, batch.length * width);
    batch.forEach((r, i) => {
      for (let c = 0; c < width; c++) set(i * width + c, (columns[c] as readonly ModelValue[])[r] as ModelValue);
    });
    const shape = binding.input.shape.length === 1 ? [batch.length] : [batch.length, width];
    tensors[binding.input.name] = { datatype: binding.input.datatype, shape, data };
  });
  return tensors;
}

/** After a batch failed: runs its rows one by one to name the first row the model rejects. */
async function locateFailure(session: RuntimeSession, rows: ModelRows, batch: readonly number[], outputNames: string[], error: unknown): Promise<Error> {
  const reason = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];
  if (batch.length > 1) {
    for (const r of batch) {
      try {
        await session.run(tensorsFor(rows, [r]), outputNames);
      } catch (rowError) {
        return new ProfileError(`${rows.file} line ${rows.lines[r]}: the model fails on this row: ${reason(rowError)}`);
      }
    }
    return new ProfileError(`the model fails on a batch of ${batch.length} rows from ${rows.file} line ${rows.lines[batch[0] as number]} on: ${reason(error)}`);
  }
  return new ProfileError(`${rows.file} line ${rows.lines[batch[0] as number]}: the model fails on this row: ${reason(error)}`);
}
