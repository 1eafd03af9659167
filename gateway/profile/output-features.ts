import type { TensorSpec } from '../../runtimes/tensor.ts';
import { formatShape } from '../repository/resolve-config.ts';
import { defaultKind } from './tensor-values.ts';
import { ProfileError } from './profile-error.ts';

/**
 * Which model outputs a profile describes, and how (a pure decision over the served outputs
 * and `--outputs`):
 * - `[batch]` and `[batch, 1]` outputs: one feature named like the output; integer, BOOL
 *   and BYTES ones are categorical (a label: class shares), float ones numeric (a
 *   regression: value bins).
 * - `[batch, k]` outputs (k > 1, e.g. class probabilities): skipped by default; when named
 *   in `--outputs`, k features `name[i]` (source column i).
 * - anything else (variable k, rank > 2): skipped; an error when named in `--outputs`.
 * With `--outputs`, exactly the named outputs are profiled, in the order given.
 */
export interface OutputFeature {
  name: string;
  output: TensorSpec;
  /** Column of a `[batch, k]` output; undefined for `[batch]` / `[batch, 1]`. */
  column?: number | undefined;
  /** Elements per row of the output (1 or k). */
  width: number;
  kind: 'numeric' | 'categorical';
}

export interface OutputSelection {
  features: OutputFeature[];
  skipped: { output: string; reason: string }[];
}

export function selectOutputs(outputs: readonly TensorSpec[], requested?: readonly string[]): OutputSelection {
  const selection: OutputSelection = { features: [], skipped: [] };
  if (requested !== undefined) {
    const seen = new Set<string>();
    for (const name of requested) {
      const output = outputs.find((o) => o.name === name);
      if (output === undefined) {
        throw new ProfileError(`--outputs ${name}: the model has no output "${name}" (outputs: ${outputs.map((o) => `"${o.name}"`).join(', ') || 'none'})`);
      }
      if (seen.has(name)) throw new ProfileError(`--outputs ${name}: named twice`);
      seen.add(name);
      const width = rowWidth(output);
      if (width === undefined) throw new ProfileError(`--outputs ${name}: ${unprofilable(output)}`);
      selection.features.push(...columnsOf(output, width));
    }
    return selection;
  }
  for (const output of outputs) {
    const width = rowWidth(output);
    if (width === undefined) selection.skipped.push({ output: output.name, reason: unprofilable(output) });
    else if (width > 1) {
      selection.skipped.push({ output: output.name, reason: `${width} columns per row; name it in --outputs to profile each column as ${output.name}[i]` });
    } else selection.features.push(...columnsOf(output, width));
  }
  return selection;
}

/** Elements per row: 1 for [batch] / [batch, 1], k for [batch, k]; undefined when not profilable. */
function rowWidth(output: TensorSpec): number | undefined {
  const { shape } = output;
  if (shape[0] !== -1 && shape[0] !== 1) return undefined;
  if (shape.length === 1) return 1;
  if (shape.length === 2 && (shape[1] as number) >= 1) return shape[1] as number;
  return undefined;
}

function unprofilable(output: TensorSpec): string {
  return `shape ${formatShape(output.shape)}: only [batch] and [batch, k] outputs with a fixed k can be profiled`;
}

function columnsOf(output: TensorSpec, width: number): OutputFeature[] {
  const kind = defaultKind(output.datatype);
  if (width === 1) return [{ name: output.name, output, width, kind }];
  return Array.from({ length: width }, (_, column) => ({ name: `${output.name}[${column}]`, output, column, width, kind }));
}
