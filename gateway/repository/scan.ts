import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describeConfigIssues, modelConfigSchema, type ModelConfig } from './model-config.ts';
import { isValidModelName, parseVersionDirectory, resolveInside } from './paths.ts';
import { artifactNames, findArtifact } from './platforms.ts';

/** A version's reference profile for drift monitoring (optional). */
export const REFERENCE_PROFILE = 'reference.json';

/** One model directory of the repository as found on disk, before anything loads. */
export interface ModelEntry {
  name: string;
  /** Real path of the model directory. */
  directory: string;
  /** Parsed and validated config.yaml; undefined when the file is absent. */
  config?: ModelConfig;
  /** Why the model cannot load (bad config, no versions); the other models still load. */
  error?: string;
  /** Version numbers whose directory holds a model artifact, ascending. */
  versions: number[];
}

/**
 * Lists the models of a repository. Entries that are not valid model names,
 * hidden entries and files are ignored; so are version directories that are not
 * positive integers (`0`, `latest`, `01`).
 */
export async function scanRepository(root: string): Promise<ModelEntry[]> {
  const entries = await readdir(root, { withFileTypes: true });
  const models: ModelEntry[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!isValidModelName(entry.name)) continue;
    const directory = await resolveInside(root, entry.name);
    if (directory === undefined) continue; // a symlink out of the repository is never served
    if (!(await isDirectory(directory))) continue;
    // A folder with neither config.yaml nor a version directory is not a model (e.g. build scripts, docs).
    if (!(await looksLikeModel(directory))) continue;
    models.push(await scanModel(root, entry.name, directory));
  }
  return models;
}

/**
 * One model of the repository, scanned again (for loads through the management
 * API and repository polling); undefined when the repository has no such model.
 */
export async function scanOneModel(root: string, name: string): Promise<ModelEntry | undefined> {
  if (!isValidModelName(name)) return undefined;
  const directory = await resolveInside(root, name);
  if (directory === undefined || !(await isDirectory(directory)) || !(await looksLikeModel(directory))) return undefined;
  return scanModel(root, name, directory);
}

async function scanModel(root: string, name: string, directory: string): Promise<ModelEntry> {
  const model: ModelEntry = { name, directory, versions: [] };
  const config = await readConfig(directory);
  if ('error' in config) model.error = config.error;
  else model.config = config.config;
  if (model.config?.name !== undefined && model.config.name !== name) {
    model.error = `config.yaml: name "${model.config.name}" does not match the directory "${name}"`;
  }
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const version = parseVersionDirectory(entry.name);
    if (version === undefined) continue;
    if ((await findArtifact(root, name, entry.name, model.config?.platform)) !== undefined) model.versions.push(version);
  }
  model.versions.sort((a, b) => a - b);
  if (model.versions.length === 0 && model.error === undefined) {
    model.error = `no version directory (a positive integer) holds a ${artifactNames(model.config?.platform)}`;
  }
  return model;
}

async function readConfig(directory: string): Promise<{ config?: ModelConfig } | { error: string }> {
  let text: string;
  try {
    text = await readFile(path.join(directory, 'config.yaml'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    return { error: 'config.yaml cannot be read' };
  }
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    return { error: `config.yaml is not valid YAML: ${(error as Error).message.split('\n')[0]}` };
  }
  const parsed = modelConfigSchema.safeParse(raw);
  if (!parsed.success) return { error: `config.yaml: ${describeConfigIssues(parsed.error)}` };
  return { config: parsed.data };
}

async function looksLikeModel(directory: string): Promise<boolean> {
  const entries = await readdir(directory);
  return entries.some((name) => name === 'config.yaml' || parseVersionDirectory(name) !== undefined);
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    await readdir(p);
    return true;
  } catch {
    return false;
  }
}
