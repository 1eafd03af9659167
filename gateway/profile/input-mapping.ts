import type { TensorSpec } from '../../runtimes/tensor.ts';
import { formatShape } from '../repository/resolve-config.ts';
import { ProfileError } from './profile-error.ts';

/**
 * Which data columns feed which model input: a pure decision over the served signature,
 * the data's columns and the `--map` flags.
 *
 * Inputs must be `[batch]`, `[batch, 1]` (one column each) or `[batch, F]` (F columns, in
 * tensor column order). Without `--map` for an input:
 * 1. an input of one column whose name is a data column takes that column;
 * 2. then, if the model has exactly one input of several columns and no data column has
 *    its name, it takes the first F columns in data order that no other input uses and
 *    that are not named like a model output (the label or target usually sits there).
 * Anything still unmapped is an error that lists what is missing and how to map it.
 */
export interface InputBinding {
  input: TensorSpec;
  /** Data columns, in tensor column order. */
  columns: string[];
  /**
   * True for a `[batch, F]` input (features record their column index), false for
   * `[batch]` and `[batch, 1]` (the feature is the whole tensor).
   */
  matrix: boolean;
}

export interface MappingRequest {
  inputs: readonly TensorSpec[];
  /** Output names of the served signature (their columns are never picked by default). */
  outputs: readonly string[];
  /** Data columns in file order. */
  columns: readonly string[];
  /** `--map TENSOR=col,…` in the order given. */
  maps: readonly { tensor: string; columns: readonly string[] }[];
}

/** Columns an input takes: 1, F, or undefined when F is variable (-1). Throws for shapes a profile cannot describe. */
export function inputWidth(input: TensorSpec): number | undefined {
  const { shape } = input;
  if ((shape.length === 1 || shape.length === 2) && (shape[0] === -1 || shape[0] === 1)) {
    if (shape.length === 1) return 1;
    const width = shape[1] as number;
    return width === -1 ? undefined : width;
  }
  throw new ProfileError(
    `input "${input.name}" has shape ${formatShape(shape)}: only [batch] and [batch, columns] inputs can be profiled`,
  );
}

export function resolveInputMapping(request: MappingRequest): InputBinding[] {
  const { inputs, columns } = request;
  const widths = new Map(inputs.map((input) => [input.name, inputWidth(input)]));
  const mapped = new Map<string, string[]>();
  const usedBy = new Map<string, string>();
  const use = (tensor: string, cols: readonly string[]): void => {
    for (const c of cols) {
      const other = usedBy.get(c);
      if (other !== undefined) throw new ProfileError(`column "${c}" is mapped to both "${other}" and "${tensor}"; map each column once`);
      usedBy.set(c, tensor);
    }
    mapped.set(tensor, [...cols]);
  };

  for (const { tensor, columns: cols } of request.maps) {
    const input = inputs.find((i) => i.name === tensor);
    if (input === undefined) throw new ProfileError(`--map ${tensor}=…: the model has no input "${tensor}" (inputs: ${names(inputs)})`);
    if (mapped.has(tensor)) throw new ProfileError(`--map ${tensor}=…: given twice`);
    const unknown = cols.filter((c) => !columns.includes(c));
    if (unknown.length > 0) {
      throw new ProfileError(`--map ${tensor}=…: no column ${unknown.map(quote).join(', ')} in the data (columns: ${columns.join(', ')})`);
    }
    const width = widths.get(tensor);
    if (width !== undefined && cols.length !== width) {
      throw new ProfileError(
        `--map ${tensor}=…: input "${tensor}" ${formatShape(input.shape)} takes ${width} column${width === 1 ? '' : 's'}, got ${cols.length} (${cols.join(', ')})`,
      );
    }
    use(tensor, cols);
  }

  for (const input of inputs) {
    if (!mapped.has(input.name) && widths.get(input.name) === 1 && columns.includes(input.name) && !usedBy.has(input.name)) {
      use(input.name, [input.name]);
    }
  }

  const wide = inputs.filter((i) => (widths.get(i.name) ?? 2) > 1);
  const only = wide.length === 1 ? wide[0] : undefined;
  const onlyWidth = only === undefined ? undefined : widths.get(only.name);
  if (only !== undefined && onlyWidth !== undefined && !mapped.has(only.name) && !columns.includes(only.name)) {
    const free = columns.filter((c) => !usedBy.has(c) && !request.outputs.includes(c));
    if (free.length >= onlyWidth) use(only.name, free.slice(0, onlyWidth));
  }

  const missing = inputs.filter((i) => !mapped.has(i.name));
  if (missing.length > 0) {
    const lines = missing.map((i) => {
      const width = widths.get(i.name);
      const placeholder = width === 1 ? 'COLUMN' : width === undefined ? 'COL1,COL2,…' : Array.from({ length: width }, (_, k) => `COL${k + 1}`).join(',');
      return `input "${i.name}" ${i.datatype} ${formatShape(i.shape)} (give --map ${i.name}=${placeholder})`;
    });
    throw new ProfileError(`the data does not feed every model input: ${lines.join('; ')}; data columns: ${columns.join(', ')}`);
  }
  return inputs.map((input) => ({
    input,
    columns: mapped.get(input.name) as string[],
    matrix: input.shape.length === 2 && input.shape[1] !== 1,
  }));
}

function names(tensors: readonly TensorSpec[]): string {
  return tensors.map((t) => `"${t.name}"`).join(', ');
}

function quote(s: string): string {
  return `"${s}"`;
}
