import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { serverOptionsSchema } from '../../gateway/options.ts';

/** What the deploy/ tests share: reading manifests, and asking the real CLI what it accepts. */

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every document of a YAML file, as plain data; fails on any YAML error or warning. */
export function readYamlDocuments(file: string): any[] {
  // `<<` merge keys, as compose files use them (YAML 1.1; off by default in YAML 1.2).
  const documents = parseAllDocuments(readFileSync(path.resolve(ROOT, file), 'utf8'), { merge: true });
  const list = Array.isArray(documents) ? documents : [documents];
  for (const document of list) {
    assert.deepEqual([...document.errors, ...document.warnings].map((e) => e.message), [], `${file}: YAML errors`);
  }
  return list.map((document) => document.toJS({ maxAliasCount: 100 })).filter((value) => value !== null);
}

/** The single document of a YAML file. */
export function readYaml(file: string): any {
  const documents = readYamlDocuments(file);
  assert.equal(documents.length, 1, `${file}: expected one YAML document`);
  return documents[0];
}

const helpCache = new Map<string, string>();

/** `modelgate <command> --help`, whitespace collapsed (commander wraps long lines). */
export function cliHelp(command: string): string {
  let help = helpCache.get(command);
  if (help === undefined) {
    const run = spawnSync(process.execPath, ['bin/modelgate.js', command, '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, `modelgate ${command} --help exited ${run.status}: ${run.stderr}`);
    help = run.stdout.replace(/\s+/g, ' ');
    helpCache.set(command, help);
  }
  return help;
}

/** Fails unless every `--flag` of a container's arguments is an option of that CLI command. */
export function assertFlagsAccepted(command: string, args: readonly string[], where: string): void {
  const help = cliHelp(command);
  for (const flag of args.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]!)) {
    assert.ok(help.includes(` ${flag} `), `${where}: modelgate ${command} has no option ${flag}`);
  }
}

/**
 * The server options a set of MODELGATE_* variables stands for (MODELGATE_GRACE_PERIOD_SECONDS →
 * gracePeriodSeconds). Fails on a variable that `serve` does not read: one that is neither in
 * `serve --help` nor a field of the options schema.
 */
export function serveOptionsFromEnv(env: Record<string, string>, where: string): Record<string, string> {
  const options: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    assert.match(name, /^MODELGATE_[A-Z_]+$/, `${where}: ${name} is not a modelgate variable`);
    assert.ok(cliHelp('serve').includes(`(env: ${name})`), `${where}: modelgate serve does not read ${name}`);
    const key = name.slice('MODELGATE_'.length).toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    assert.ok(key in serverOptionsSchema.shape, `${where}: ${name} is no server option (${key})`);
    options[key] = value;
  }
  return options;
}

/** True when every key/value of `selector` is in `labels`; an empty selector (which would select everything) counts as a mistake: false. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (selector === undefined || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}
