import { buildProfile, type ProfileColumn } from '../monitoring/drift/profile-builder.ts';
import { parseReferenceProfile, type FeatureSource, type ReferenceProfile } from '../monitoring/drift/reference-profile.ts';
import { readDataTable, type DataFormat, type DataTable } from './data-table.ts';
import { resolveInputMapping, type InputBinding } from './input-mapping.ts';
import { openModelTarget } from './model-target.ts';
import { selectOutputs, type OutputFeature } from './output-features.ts';
import { ProfileError } from './profile-error.ts';
import { runOutputs } from './run-model.ts';
import {
  CellError, defaultKind, isFloat, isInteger, modelValue, profileValue,
  type FeatureKind, type ModelValue, type ProfileValue,
} from './tensor-values.ts';

/**
 * Makes the reference profile of one model version from a sample of its training data:
 * read the data, map columns onto the model's inputs, run the model over the rows for its
 * outputs, bin everything (profile-builder.ts). What `modelgate profile` and the sample
 * model build both call; writing the file is `writeReferenceProfile`'s.
 */
export interface ProfileRequest {
  repository: string;
  model: string;
  version: string;
  /** Data file: CSV with a header row, or JSON lines. */
  data: string;
  /** Default: from the file extension. */
  format?: DataFormat | undefined;
  /** `--map TENSOR=col,…`. */
  maps?: readonly { tensor: string; columns: readonly string[] }[] | undefined;
  /** Feature (or output) names whose kind is forced. */
  categorical?: readonly string[] | undefined;
  numeric?: readonly string[] | undefined;
  /** Outputs to profile (exactly these); default: every [batch] / [batch, 1] output. */
  outputs?: readonly string[] | undefined;
  bins?: number | undefined;
  maxCategories?: number | undefined;
  /** Rows sampled from the file (uniformly, seeded). */
  maxRows?: number | undefined;
}

export interface ProfileReport {
  profile: ReferenceProfile;
  /** Real path of the version directory (reference.json goes there). */
  versionDirectory: string;
  rowsRead: number;
  rowsSampled: number;
  /** Rows run through the model (the others had a missing input value); 0 when no output is profiled. */
  rowsRun: number;
  skippedOutputs: { output: string; reason: string }[];
}

interface InputFeature {
  name: string;
  binding: InputBinding;
  /** Column of the data table. */
  dataColumn: number;
  /** Column within the input tensor. */
  position: number;
  kind: FeatureKind;
}

export async function createReferenceProfile(request: ProfileRequest): Promise<ProfileReport> {
  const target = await openModelTarget(request.repository, request.model, request.version);
  try {
    const { signature } = target;
    const table = await readDataTable(request.data, { format: request.format, maxRows: request.maxRows });
    const bindings = resolveInputMapping({
      inputs: signature.inputs,
      outputs: signature.outputs.map((o) => o.name),
      columns: table.columns,
      maps: request.maps ?? [],
    });
    const selection = selectOutputs(signature.outputs, request.outputs);
    const features: InputFeature[] = bindings.flatMap((binding) => binding.columns.map((name, position) => ({
      name, binding, position, dataColumn: table.columns.indexOf(name), kind: defaultKind(binding.input.datatype, !binding.matrix),
    })));
    applyKinds(request, features, selection.features);
    for (const feature of features) checkColumn(table, feature);

    const lines = table.rows.map((row) => row.line);
    const values = bindings.map((binding) => binding.columns.map((name) => convertColumn(table, binding, table.columns.indexOf(name))));
    const outputs = await runOutputs(target.session, { bindings, values, lines, file: table.file }, selection.features);

    const inputColumns: ProfileColumn[] = features.map((f) => ({
      name: f.name,
      kind: f.kind,
      values: (values[bindings.indexOf(f.binding)]?.[f.position] ?? []).map(profileValue),
      source: source(f.binding.input.name, f.binding.matrix ? f.position : undefined),
    }));
    const outputColumns: ProfileColumn[] = selection.features.map((f, i) => ({
      name: f.name,
      kind: f.kind,
      values: outputs.values[i] as ProfileValue[],
      source: source(f.output.name, f.column),
    }));
    const built = buildProfile(inputColumns, { outputs: outputColumns, bins: request.bins, maxCategories: request.maxCategories });
    // The gateway validates reference.json when it loads it; never write one it would refuse.
    const profile = parseReferenceProfile(built, `profile of ${request.model}/${request.version}`);
    return {
      profile,
      versionDirectory: target.versionDirectory,
      rowsRead: table.rowsRead,
      rowsSampled: table.rows.length,
      rowsRun: outputs.rowsRun,
      skippedOutputs: selection.skipped,
    };
  } finally {
    await target.close();
  }
}

function source(tensor: string, column: number | undefined): FeatureSource {
  return column === undefined ? { tensor } : { tensor, column };
}

/** Applies `--categorical` / `--numeric`: each name must be an input feature, an output feature, or a multi-column output (all its columns). */
function applyKinds(request: ProfileRequest, inputs: InputFeature[], outputs: OutputFeature[]): void {
  const wanted = new Map<string, FeatureKind>();
  for (const [flag, kind, names] of [['--categorical', 'categorical', request.categorical], ['--numeric', 'numeric', request.numeric]] as const) {
    for (const name of names ?? []) {
      if (wanted.has(name)) throw new ProfileError(`${flag} ${name}: "${name}" is named twice in --categorical / --numeric`);
      wanted.set(name, kind);
    }
  }
  for (const [name, kind] of wanted) {
    const targets = [
      ...inputs.filter((f) => f.name === name),
      ...outputs.filter((f) => f.name === name || f.output.name === name),
    ];
    if (targets.length === 0) {
      throw new ProfileError(
        `--${kind} ${name}: not a profiled feature (features: ${inputs.map((f) => f.name).join(', ')}; outputs: ${outputs.map((f) => f.name).join(', ') || 'none'})`,
      );
    }
    for (const t of targets) t.kind = kind;
  }
}

/** Whole-file checks of one input column (every row, sampled or not): numbers where the model or the kind needs them. */
function checkColumn(table: DataTable, feature: InputFeature): void {
  const { datatype, name: tensor } = feature.binding.input;
  const scan = table.scans[feature.dataColumn];
  const wantsNumber = (datatype !== 'BYTES' && datatype !== 'BOOL') || feature.kind === 'numeric';
  const bad = wantsNumber ? scan?.nonNumeric : undefined;
  const fraction = isInteger(datatype) ? scan?.nonInteger : undefined;
  const at = bad ?? fraction;
  if (at === undefined) return;
  const want = bad !== undefined ? 'a number' : 'an integer';
  const why = isFloat(datatype) || isInteger(datatype) ? `${datatype} input "${tensor}"` : `numeric feature (${datatype} input "${tensor}")`;
  throw new ProfileError(
    `${table.file} line ${at.line}, column "${feature.name}": expected ${want} for ${why}, got ${JSON.stringify(at.cell)}`,
  );
}

function convertColumn(table: DataTable, binding: InputBinding, dataColumn: number): ModelValue[] {
  const { datatype, name: tensor } = binding.input;
  return table.rows.map((row) => {
    try {
      return modelValue(row.cells[dataColumn] ?? null, datatype);
    } catch (error) {
      if (!(error instanceof CellError)) throw error;
      throw new ProfileError(`${table.file} line ${row.line}, column "${table.columns[dataColumn]}": ${error.message} (${datatype} input "${tensor}")`);
    }
  });
}
