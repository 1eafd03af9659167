import path from 'node:path';
import { DATA_FORMATS, DEFAULT_MAX_ROWS, type DataFormat } from './data-table.ts';
import { ProfileError } from './profile-error.ts';
import { createReferenceProfile, type ProfileReport, type ProfileRequest } from './profile-version.ts';
import { writeReferenceProfile } from './write-profile.ts';
import { DEFAULT_PROFILE_BINS } from '../monitoring/drift/profile-builder.ts';

/**
 * `modelgate profile`: flags (as commander hands them over) → request → reference.json.
 * Bad flags, data or model: the message on stderr and exit status 2, nothing written.
 */
export interface ProfileFlags {
  modelRepository?: string | undefined;
  model?: string | undefined;
  version?: string | undefined;
  data?: string | undefined;
  format?: string | undefined;
  map?: string[] | undefined;
  categorical?: string[] | undefined;
  numeric?: string[] | undefined;
  outputs?: string[] | undefined;
  bins?: string | undefined;
  maxRows?: string | undefined;
}

export const MAX_BINS = 1000;

/** Commander collector for repeatable flags: `--map a=x --map b=y` → ['a=x', 'b=y']. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function parseProfileFlags(flags: ProfileFlags): ProfileRequest {
  const required = (value: string | undefined, flag: string): string => {
    if (value === undefined || value.trim() === '') throw new ProfileError(`${flag}: required`);
    return value;
  };
  if (flags.format !== undefined && !(DATA_FORMATS as readonly string[]).includes(flags.format)) {
    throw new ProfileError(`--format: expected ${DATA_FORMATS.join(' or ')}, got "${flags.format}"`);
  }
  return {
    repository: flags.modelRepository ?? './models',
    model: required(flags.model, '--model'),
    version: required(flags.version, '--version'),
    data: required(flags.data, '--data'),
    format: flags.format as DataFormat | undefined,
    maps: (flags.map ?? []).map(parseMap),
    categorical: list(flags.categorical, '--categorical'),
    numeric: list(flags.numeric, '--numeric'),
    outputs: list(flags.outputs, '--outputs'),
    bins: integer(flags.bins, '--bins', 2, MAX_BINS) ?? DEFAULT_PROFILE_BINS,
    maxRows: integer(flags.maxRows, '--max-rows', 1, Number.MAX_SAFE_INTEGER) ?? DEFAULT_MAX_ROWS,
  };
}

function parseMap(text: string): { tensor: string; columns: string[] } {
  const at = text.indexOf('=');
  const tensor = at < 0 ? '' : text.slice(0, at).trim();
  const columns = at < 0 ? [] : text.slice(at + 1).split(',').map((c) => c.trim());
  if (tensor === '' || columns.length === 0 || columns.some((c) => c === '')) {
    throw new ProfileError(`--map "${text}": expected TENSOR=COLUMN or TENSOR=COL1,COL2,… (column names, no empty ones)`);
  }
  return { tensor, columns };
}

function list(values: readonly string[] | undefined, flag: string): string[] | undefined {
  if (values === undefined) return undefined;
  const names = values.flatMap((v) => v.split(',')).map((n) => n.trim());
  if (names.some((n) => n === '')) throw new ProfileError(`${flag}: expected comma-separated names, got an empty one`);
  return names;
}

function integer(text: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ProfileError(`${flag}: expected an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}, got "${text}"`);
  }
  return n;
}

/** Runs the command; returns the exit status (0 written, 2 bad input). Unexpected failures propagate. */
export async function runProfileCommand(flags: ProfileFlags, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  try {
    const request = parseProfileFlags(flags);
    const report = await createReferenceProfile(request);
    const written = await writeReferenceProfile(report.versionDirectory, report.profile);
    out.write(summary(request, report, written));
    return 0;
  } catch (error) {
    if (!(error instanceof ProfileError)) throw error;
    err.write(`modelgate profile: ${error.message}\n`);
    return 2;
  }
}

function summary(request: ProfileRequest, report: ProfileReport, written: string): string {
  const describe = (f: ReferenceProfileFeature) =>
    `  ${f.name} (${f.kind}) ← ${f.source === undefined ? '?' : f.source.column === undefined ? f.source.tensor : `${f.source.tensor}[:, ${f.source.column}]`}`;
  const sampled = report.rowsSampled < report.rowsRead ? `${report.rowsSampled} sampled of ${report.rowsRead}` : `${report.rowsRead}`;
  const lines = [
    `wrote ${display(written)}: ${request.model} version ${request.version}, ${sampled} rows from ${request.data}`,
    `features:`,
    ...report.profile.features.map(describe),
    `outputs${report.profile.outputs.length > 0 ? ` (model run on ${report.rowsRun} rows)` : ''}:`,
    ...report.profile.outputs.map(describe),
    ...report.skippedOutputs.map((s) => `  skipped ${s.output}: ${s.reason}`),
  ];
  if (report.profile.outputs.length > 0 && report.rowsRun < report.rowsSampled) {
    lines.push(`note: ${report.rowsSampled - report.rowsRun} rows with a missing input value were not run; their outputs count as missing`);
  }
  return `${lines.join('\n')}\n`;
}

/** A path relative to the working directory when it lies below it, else absolute. */
function display(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

type ReferenceProfileFeature = ProfileReport['profile']['features'][number];
