/**
 * `npm run bench [-- --duration 5 --only <group|name> --rounds 4 --warmup 1 --cpu-prof]`
 *
 * Runs the scenarios of scenarios.ts against servers spawned on 127.0.0.1,
 * prints the markdown report and writes it to bench/results/latest.md (plus
 * latest.json with the raw numbers). Each load scenario alternates its
 * targets A B C, C B A … so drift on a shared machine hits them alike; read
 * the ratios, not the absolute numbers.
 */
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { parseArgs, promisify } from 'node:util';
import {
  SCENARIOS, SECTIONS, TARGETS, targetLabel,
  type CeilingTarget, type LoadScenario, type LoadTarget, type RequestSpec, type Scenario, type ScriptScenario, type ServerName, type ServerTarget, type StartupScenario,
} from './scenarios.ts';
import { mergeLoadResults, runLoad, warmUp, type LoadOptions, type LoadResult } from './load.ts';
import { REPO_ROOT, SAMPLE_REPOSITORY, type ServerProcess } from './processes.ts';
import { SERVERS } from './servers.ts';
import { CeilingProcess } from './ceiling-process.ts';
import type { ConfigResult } from './ort-ceiling.ts';
import { batchTotals, difference, modelOfPath, type BatchTotals } from './gateway-metrics.ts';
import { referenceNote, withIrisMonitoring } from './repository-variants.ts';
import { describeEnvironment, loadAverage, treeState } from './environment.ts';
import { loadTable, startupTable, targetsTable, type LoadOutcome, type StartupOutcome, type StartupSample, type TargetOutcome } from './report.ts';
import { profileMarkdown, summarizeProfiles } from './cpu-profile.ts';

const USAGE = `usage: npm run bench -- [--duration <s>] [--only <group|substring>[,…]] [--warmup <s>] [--rounds <n>] [--starts <n>] [--cpu-prof] [--out <file>] [--list]
  --duration  seconds of measured load per server per scenario (default 5, split over the rounds)
  --only      run the scenarios in one of these groups (foundation, batching, tabular, heavy,
              large-input, dispatch, monitoring) or whose name contains one of the substrings
  --warmup    seconds of unmeasured load per server before each scenario (default 1)
  --rounds    alternate the servers this many times (A B, B A, …; default 4)
  --starts    cold starts per server in the startup scenario (default: the scenario's, 3)
  --targets   keep only the targets (rows) of load scenarios whose label contains one of these
              substrings (e.g. to profile one server alone); ratios are then to the last one kept
  --cpu-prof  run every server under node --cpu-prof and add a summary of the profiles
              (top self-time functions, main thread and workers) to the report; the
              profiles themselves stay in <out dir>/profiles/<date>/<server>/
  --out       report path (default bench/results/latest.md; latest.json beside it)`;

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    only: { type: 'string', multiple: true },
    warmup: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '4' },
    starts: { type: 'string' },
    targets: { type: 'string', multiple: true },
    'cpu-prof': { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results/latest.md' },
    list: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const positive = (text: string | undefined, name: string): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name}: expected a positive number, got ${text}\n${USAGE}`);
    process.exit(2);
  }
  return n;
};
const DURATION = positive(flags.duration, 'duration');
const WARMUP = flags.warmup === '0' ? 0 : positive(flags.warmup, 'warmup');
const ROUNDS = Math.round(positive(flags.rounds, 'rounds'));
const STARTS = flags.starts === undefined ? undefined : Math.round(positive(flags.starts, 'starts'));
const filters = (flags.only ?? []).flatMap((f) => f.split(',')).filter((f) => f.length > 0);
// A filter that names a group selects that group only; any other filter is a substring of scenario names.
const GROUPS = new Set(SCENARIOS.flatMap((s) => s.groups));
const targetFilters = (flags.targets ?? []).flatMap((f) => f.split(',')).filter((f) => f.length > 0);
const keepTarget = (t: LoadTarget): boolean => targetFilters.length === 0 || targetFilters.some((f) => targetLabel(t).includes(f));
const selected = SCENARIOS
  .filter((s) => filters.length === 0 || filters.some((f) => (GROUPS.has(f) ? s.groups.includes(f) : s.name.includes(f))))
  .flatMap((s): Scenario[] => {
    if (s.kind !== 'load' || targetFilters.length === 0) return [s];
    const kept = s.targets.filter(keepTarget);
    return kept.length === 0 ? [] : [{ ...s, targets: kept as unknown as LoadScenario['targets'] }];
  });

if (flags.list) {
  for (const s of SCENARIOS) console.log(`${s.name.padEnd(30)} [${s.groups.join(', ')}]  ${s.kind === 'load' ? `c=${s.connections}  ${s.title}` : s.section}`);
  process.exit(0);
}
if (selected.length === 0) {
  console.error(`no scenario matches --only ${filters.join(',')} (see --list)`);
  process.exit(2);
}

const progress = (message: string): void => void process.stderr.write(`[bench] ${message}\n`);
const OUT = path.resolve(REPO_ROOT, flags.out);
const startedAt = new Date();
const PROFILE_ROOT = path.join(path.dirname(OUT), 'profiles', startedAt.toISOString().replace(/[:.]/g, '-'));

// ---- servers ------------------------------------------------------------------------------

const running = new Map<ServerName, Promise<ServerProcess>>();
/** Inference responses each server gave to the harness (warm-ups and probes included): the profiles' denominator. */
const served = new Map<ServerName, number>();
/** Other responses (health routes). */
const servedOther = new Map<ServerName, number>();
const count = (name: ServerName, request: RequestSpec, n: number): void => {
  const tally = request.rows === undefined ? servedOther : served;
  tally.set(name, (tally.get(name) ?? 0) + n);
};
const profileDirs = new Map<ServerName, string>();
/** When each profiled server was ready, on the profiles' clock (µs): earlier samples are startup. */
const readyAtUs = new Map<ServerName, number>();
/** Every server started during the run, for the report. */
const used = new Set<ServerName>();

/** The shared, ready instance of a server for load scenarios (started on first use). */
function server(name: ServerName): Promise<ServerProcess> {
  let started = running.get(name);
  if (started === undefined) {
    started = (async () => {
      progress(`starting ${name}`);
      used.add(name);
      let nodeFlags: string[] | undefined;
      if (flags['cpu-prof']) {
        const dir = path.join(PROFILE_ROOT, name);
        await mkdir(dir, { recursive: true });
        profileDirs.set(name, dir);
        nodeFlags = ['--cpu-prof', '--cpu-prof-dir', dir];
      }
      const s = await SERVERS[name].spawn({ startup: false, ...(nodeFlags === undefined ? {} : { nodeFlags }) });
      // A server that never gets ready is stopped now rather than left loading beside the others.
      await s.until200(SERVERS[name].readyPath).catch(async (error: unknown) => {
        await s.stop();
        throw error;
      });
      readyAtUs.set(name, Number(process.hrtime.bigint() / 1000n));
      return s;
    })();
    running.set(name, started);
  }
  return started;
}

async function stop(names: Iterable<ServerName>): Promise<void> {
  const stopping = [...names].map(async (name) => {
    const s = running.get(name);
    running.delete(name);
    const settled = await s?.then((v) => v, () => undefined);
    await settled?.stop();
  });
  await Promise.all(stopping);
}

const stopAll = (): Promise<void> => stop([...running.keys()]);

// ---- scenarios ----------------------------------------------------------------------------

async function runStartup(scenario: StartupScenario): Promise<StartupOutcome[]> {
  const starts = STARTS ?? scenario.starts;
  const samples = new Map<ServerName, StartupSample[]>(scenario.servers.map((s) => [s, []]));
  for (let i = 0; i < starts; i++) {
    const order = i % 2 === 0 ? scenario.servers : [...scenario.servers].reverse();
    for (const name of order) {
      const kind = SERVERS[name];
      progress(`startup ${name} ${i + 1}/${starts}`);
      const s = await kind.spawn({ startup: true });
      let readyAt: number;
      try {
        readyAt = await s.until200(kind.readyPath);
      } catch (error) {
        await s.stop();
        throw error;
      }
      const listening = await s.line('"msg":"listening"', 2000).catch(() => undefined);
      const complete = kind.startupLine === undefined ? undefined : await s.line(kind.startupLine, 5000).catch(() => undefined);
      const selfSeconds = complete === undefined ? undefined : (JSON.parse(complete.text) as { seconds?: number }).seconds;
      const stopSeconds = await s.stop();
      samples.get(name)!.push({
        listeningMs: listening && listening.at - s.spawnedAt,
        startupCompleteLineMs: complete && complete.at - s.spawnedAt,
        selfReportedMs: selfSeconds === undefined ? undefined : selfSeconds * 1000,
        readyMs: readyAt - s.spawnedAt,
        stopMs: stopSeconds * 1000,
      });
    }
  }
  return scenario.servers.map((name) => ({ server: name, samples: samples.get(name)! }));
}

function loadOptions(base: string, request: RequestSpec, connections: number): LoadOptions {
  return {
    url: `${base}${request.path}`,
    method: request.method,
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(request.headers === undefined ? {} : { headers: request.headers }),
    connections,
  };
}

const requestHeaders = (request: RequestSpec): Record<string, string> =>
  request.headers ?? (request.body === undefined ? {} : { 'content-type': 'application/json' });

/**
 * One request per server target before the load: every target must answer 200, and the
 * same outputs when asked; then the scenario's `expect` checks (e.g. monitoring on/off).
 */
async function probe(scenario: LoadScenario): Promise<string[]> {
  const bodies: { label: string; outputs?: { name: string; data: unknown[] }[] }[] = [];
  for (const t of scenario.targets) {
    if ('ceiling' in t) continue;
    const s = await server(t.server);
    const response = await fetch(`${s.url}${t.request.path}`, {
      method: t.request.method,
      headers: requestHeaders(t.request),
      ...(t.request.body === undefined ? {} : { body: typeof t.request.body === 'string' ? t.request.body : new Uint8Array(t.request.body) }),
    });
    const text = await response.text();
    count(t.server, t.request, 1);
    if (response.status !== 200) throw new Error(`${targetLabel(t)} answered ${response.status} to the probe: ${text.slice(0, 200)}`);
    bodies.push({ label: targetLabel(t), ...(JSON.parse(text) as { outputs?: { name: string; data: unknown[] }[] }) });
  }
  const notes: string[] = [];
  for (const e of scenario.expect ?? []) {
    const s = await server(e.server);
    const response = await fetch(`${s.url}${e.path}`);
    await response.arrayBuffer();
    if (response.status !== e.status) throw new Error(`${e.server}: GET ${e.path} answered ${response.status}, expected ${e.status} (${e.why})`);
    notes.push(`checked before the load: ${e.server} answers ${e.status} on GET ${e.path} (${e.why})`);
  }
  if (!scenario.sameOutputs) return notes;
  const [reference, ...others] = bodies;
  for (const other of others) {
    for (const output of reference?.outputs ?? []) {
      const mine = other.outputs?.find((o) => o.name === output.name)?.data.flat(Infinity) as number[] | undefined;
      const theirs = output.data.flat(Infinity) as number[];
      const close = mine !== undefined && mine.length === theirs.length &&
        mine.every((x, i) => Math.abs(x - theirs[i]!) <= 1e-5 + 1e-4 * Math.abs(theirs[i]!));
      if (!close) notes.push(`output "${output.name}" differs between ${reference!.label} and ${other.label}`);
    }
  }
  return notes;
}

/** One turn of a server target: closed-loop load, with the server's CPU and the batcher's totals around it. */
async function serverSlice(t: ServerTarget, options: LoadOptions, seconds: number): Promise<{ result: LoadResult; batches?: BatchTotals }> {
  const s = await server(t.server);
  const model = modelOfPath(t.request.path);
  const gateway = SERVERS[t.server].kind === 'gateway' && model !== undefined;
  const before = gateway ? await batchTotals(s.url, model) : undefined;
  const cpuBefore = s.cpuSeconds();
  const result = await runLoad({ ...options, durationSeconds: seconds });
  const cpuAfter = s.cpuSeconds();
  const after = gateway ? await batchTotals(s.url, model) : undefined;
  count(t.server, t.request, result.ok + result.non2xx);
  if (cpuBefore !== undefined && cpuAfter !== undefined) result.serverCpuSeconds = cpuAfter - cpuBefore;
  return { result, ...(before !== undefined && after !== undefined ? { batches: difference(after, before) } : {}) };
}

function pool(configs: readonly ConfigResult[][]): ConfigResult[] {
  const first = configs[0] ?? [];
  return first.map((c, i) => configs.reduce<ConfigResult>((acc, round) => {
    const r = round[i]!;
    return { ...acc, runs: acc.runs + r.runs, rows: acc.rows + r.rows, seconds: acc.seconds + r.seconds, cpuSeconds: acc.cpuSeconds + r.cpuSeconds };
  }, { ...c, runs: 0, rows: 0, seconds: 0, cpuSeconds: 0 }));
}

async function runLoadScenario(scenario: LoadScenario): Promise<LoadOutcome> {
  const notes = await probe(scenario);
  const rounds = scenario.rounds ?? ROUNDS;
  const seconds = (DURATION * (scenario.durationFactor ?? 1)) / rounds;
  const ceilings = new Map<string, CeilingProcess>();
  try {
    const targets = await Promise.all(scenario.targets.map(async (t) => {
      if ('ceiling' in t) {
        progress(`${scenario.name}: starting ${t.label}`);
        ceilings.set(t.label, await CeilingProcess.start(t));
        return { target: t };
      }
      return { target: t, options: loadOptions((await server(t.server)).url, t.request, scenario.connections) };
    }));
    for (const { target, options } of targets) {
      if (options === undefined) continue;
      progress(`${scenario.name}: warm-up ${targetLabel(target)} ${WARMUP}s`);
      count((target as ServerTarget).server, (target as ServerTarget).request, await warmUp(options, WARMUP));
    }
    const results: TargetOutcome[] = targets.map(({ target }) => ({
      label: targetLabel(target),
      rounds: [],
      ...('ceiling' in target ? { ceiling: { pooled: [], rounds: [] } } : { server: target.server, ...(target.request.rows === undefined ? {} : { rows: target.request.rows }) }),
    }));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? targets.map((t, i) => ({ ...t, i })) : targets.map((t, i) => ({ ...t, i })).reverse();
      for (const { target, options, i } of order) {
        const outcome = results[i]!;
        progress(`${scenario.name}: ${outcome.label} c=${scenario.connections} round ${round + 1}/${rounds}`);
        if ('ceiling' in target) {
          const configs = (target as CeilingTarget).batches.length * 2;
          const sweep = await ceilings.get(target.label)!.sweep(Math.max(200, (seconds * 1000) / configs));
          outcome.ceiling!.rounds.push(sweep);
        } else {
          const { result, batches } = await serverSlice(target, options!, seconds);
          outcome.rounds.push(result);
          if (batches !== undefined) outcome.batches = outcome.batches === undefined ? batches : { batches: outcome.batches.batches + batches.batches, rows: outcome.batches.rows + batches.rows, requests: outcome.batches.requests + batches.requests };
        }
      }
    }
    for (const outcome of results) {
      if (outcome.ceiling !== undefined) outcome.ceiling.pooled = pool(outcome.ceiling.rounds);
      else outcome.result = mergeLoadResults(outcome.rounds);
      const r = outcome.result;
      if (r !== undefined && r.non2xx + r.errors + r.timeouts > 0) {
        notes.push(`${outcome.label}: ${r.non2xx} non-2xx (${JSON.stringify(r.statusCodes)}), ${r.errors} errors, ${r.timeouts} timeouts`);
      }
    }
    return { scenario, results, notes };
  } finally {
    await Promise.all([...ceilings.values()].map((c) => c.close()));
  }
}

const TASKSET = '/usr/bin/taskset';

async function runScript(scenario: ScriptScenario): Promise<{ markdown: string; raw: unknown }> {
  const args = ['--import', 'tsx', scenario.script, '--json', '--seconds', String(Math.max(0.5, DURATION / 5)), ...(scenario.args ?? [])];
  let command = process.execPath;
  if (scenario.cpus !== undefined) {
    if (os.platform() !== 'linux' || !existsSync(TASKSET)) return { markdown: `_skipped: needs ${TASKSET} (Linux)_`, raw: { skipped: true } };
    args.unshift('-c', scenario.cpus, process.execPath);
    command = TASKSET;
  }
  progress(`${scenario.name}: ${scenario.script}${scenario.cpus === undefined ? '' : ` on CPUs ${scenario.cpus}`}`);
  const { stdout } = await promisify(execFile)(command, args, { cwd: REPO_ROOT, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
  const raw = JSON.parse(stdout.trim().split('\n').at(-1)!) as { markdown: string };
  return { markdown: raw.markdown, raw };
}

/** Which sample versions ship a reference.json (drift monitoring is then on in the `gateway` server). */
async function sampleReferences(): Promise<string[]> {
  const found: string[] = [];
  for (const model of await readdir(SAMPLE_REPOSITORY, { withFileTypes: true })) {
    if (!model.isDirectory()) continue;
    for (const version of await readdir(path.join(SAMPLE_REPOSITORY, model.name)).catch(() => [])) {
      if (/^[1-9][0-9]*$/.test(version) && existsSync(path.join(SAMPLE_REPOSITORY, model.name, version, 'reference.json'))) found.push(`${model.name}/${version}`);
    }
  }
  return found;
}

// ---- main ---------------------------------------------------------------------------------

const kindCount = (kind: Scenario['kind']): number => selected.filter((s) => s.kind === kind).length;
const loadSeconds = selected.reduce((n, s) => {
  if (s.kind !== 'load') return n;
  const ceiling = s.targets.filter((t) => 'ceiling' in t).length;
  return n + (s.targets.length - ceiling) * (DURATION * (s.durationFactor ?? 1) + WARMUP) + ceiling * 12;
}, 0);
// Rough: a load target runs warm-up + duration, a cold start ~3 s, a script ~15 s + its slices, a server start ~2 s.
const expectedSeconds = loadSeconds + kindCount('startup') * 2 * (STARTS ?? 3) * 3 + kindCount('script') * (15 + DURATION * 2) + 20;
progress(`${selected.length} scenarios; about ${Math.round(expectedSeconds)} s`);

const treeBefore = await treeState();
const loadBefore = loadAverage();
const sections = new Map<string, string[]>();
const loadOutcomes = new Map<string, LoadOutcome>();
const raw: Record<string, unknown> = {};
const add = (section: string, markdown: string): void => void sections.set(section, [...(sections.get(section) ?? []), markdown]);
const serversOf = (s: Scenario): ServerName[] => (s.kind === 'load' ? s.targets.flatMap((t) => ('ceiling' in t ? [] : [t.server])) : []);

// Load scenarios share the servers; the startup and script scenarios run while no server is up.
const ordered: Scenario[] = [...selected.filter((s) => s.kind === 'startup'), ...selected.filter((s) => s.kind === 'load'), ...selected.filter((s) => s.kind === 'script')];
for (const [index, scenario] of ordered.entries()) {
  try {
    if (scenario.kind === 'startup') {
      const outcomes = await runStartup(scenario);
      raw[scenario.name] = outcomes;
      add(scenario.section, startupTable(outcomes));
    } else if (scenario.kind === 'load') {
      const outcome = await runLoadScenario(scenario);
      loadOutcomes.set(scenario.name, outcome);
      raw[scenario.name] = outcome.results.map(({ rounds: _r, result, ceiling, ...rest }) => ({
        ...rest,
        ...(result === undefined ? {} : { result: { ...result, latenciesMs: undefined } }),
        ...(ceiling === undefined ? {} : { ceiling: ceiling.pooled }),
      }));
      if (outcome.notes.length > 0) outcome.notes.forEach((n) => progress(`${scenario.name}: ${n}`));
    } else {
      await stopAll();
      const { markdown, raw: data } = await runScript(scenario);
      raw[scenario.name] = data;
      add(scenario.section, markdown);
    }
  } catch (error) {
    process.exitCode = 1;
    const message = error instanceof Error ? error.message : String(error);
    progress(`${scenario.name} FAILED: ${message}`);
    add(scenario.section, `**${scenario.name} failed:** ${message.split('\n')[0]}`);
  }
  // Servers no later scenario needs are stopped: idle, they cost little, but they hold memory and threads.
  const later = new Set(ordered.slice(index + 1).flatMap(serversOf));
  await stop([...running.keys()].filter((name) => !later.has(name)));
}
await stopAll();

// Load tables are built last: a row may show its share of a ceiling measured after it.
const ceilingOf = (outcome: LoadOutcome, name: ServerName): number | undefined => {
  const rows = outcome.scenario.ceiling === undefined ? undefined : loadOutcomes.get(outcome.scenario.ceiling)?.results;
  const row = rows?.find((r) => r.server === name) ?? rows?.find((r) => r.server === SERVERS[name].sameHttpAs);
  return row?.result?.requestsPerSecond;
};
const bySection = new Map<string, LoadOutcome[]>();
for (const outcome of loadOutcomes.values()) {
  for (const section of [outcome.scenario.section, ...(outcome.scenario.alsoIn ?? [])]) bySection.set(section, [...(bySection.get(section) ?? []), outcome]);
}
// A section's load table comes before its other parts.
for (const [section, outcomes] of bySection) sections.set(section, [loadTable(outcomes, ceilingOf), ...(sections.get(section) ?? [])]);
const checks = TARGETS.filter((c) => loadOutcomes.has(c.scenario));
const targets = checks.length > 0 ? targetsTable(checks, loadOutcomes) : undefined;
if (targets !== undefined) add(SECTIONS.targets, targets);

if (profileDirs.size > 0) {
  const parts: string[] = ['Every server ran under `node --cpu-prof` (sampling costs a few % of throughput; the numbers above are from this profiled run). Samples from before the server was ready (module loading, sessions opening) are left out. "µs per request": self time / every inference response that server gave during the run (warm-ups and probes included); health-route responses, when the run had any, are not in the denominator but their cost is in the profile.'];
  for (const [name, dir] of profileDirs) {
    try {
      const summaries = await summarizeProfiles(dir, 12, readyAtUs.get(name) ?? 0);
      const other = servedOther.get(name);
      const otherNote = other === undefined ? '' : ` It also answered ${other.toLocaleString('en-US')} health-route requests.`;
      parts.push(`### ${name}: ${SERVERS[name].describe}\n\nProfiles: \`${path.relative(REPO_ROOT, dir)}\`.${otherNote}\n\n${profileMarkdown(summaries, served.get(name))}`);
    } catch (error) {
      parts.push(`### ${name}\n\nno profile summary: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  add('CPU profiles', parts.join('\n\n'));
}

const treeAfter = await treeState();
const environment = await describeEnvironment();
const references = await sampleReferences();
const monitoringNote = used.has('gateway-monitoring-on') ? referenceNote(await withIrisMonitoring(SAMPLE_REPOSITORY, true)) : undefined;
const meta = {
  date: startedAt.toISOString(),
  tree: treeBefore === treeAfter ? treeBefore : `${treeBefore} at the start, ${treeAfter} at the end: THE TREE CHANGED DURING THE RUN`,
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  ...environment,
  loadAverage: { before: loadBefore, after: loadAverage() },
  settings: { durationSecondsPerServer: DURATION, warmupSeconds: WARMUP, rounds: ROUNDS, cpuProf: flags['cpu-prof'] },
  sampleReferences: references,
  monitoringReferences: monitoringNote?.versions,
  servers: Object.fromEntries([...used].map((name) => [name, SERVERS[name].describe])),
};
// Sections in scenario-list order, targets and profiles last.
const sectionOrder = [...new Set([...SCENARIOS.flatMap((s) => [s.section, ...(s.kind === 'load' ? s.alsoIn ?? [] : [])]), SECTIONS.targets, 'CPU profiles'])].filter((s) => sections.has(s));
const report = [
  `# modelgate bench: ${meta.date}`,
  '',
  `\`${meta.command}\` · ${meta.tree} · node ${meta.node} · onnxruntime-node ${meta.onnxruntimeNode} · piscina ${meta.piscina} · autocannon ${meta.autocannon} · hono ${meta.hono}`,
  `${meta.cpu} · ${meta.os} · load average (1/5/15 min) before ${meta.loadAverage.before.join(' / ')}, after ${meta.loadAverage.after.join(' / ')}`,
  `${DURATION} s measured per server per load scenario (${ROUNDS} alternating rounds unless a scenario says otherwise) after ${WARMUP} s of warm-up; load generator: autocannon in the harness process; servers in their own processes on 127.0.0.1.`,
  `Sample versions with a reference.json (drift monitoring on in \`gateway\`): ${references.length === 0 ? 'none' : references.join(', ')}.${monitoringNote === undefined ? '' : ` Monitoring scenario's reference.json: ${Object.entries(monitoringNote.versions).map(([v, how]) => `${v} ${how}`).join(', ')}.`}`,
  '',
  'Servers:',
  ...[...used].map((name) => `- \`${name}\`: ${SERVERS[name].describe}`),
  ...sectionOrder.flatMap((section) => ['', `## ${section}`, '', ...sections.get(section)!.flatMap((m, i) => (i > 0 ? ['', m] : [m]))]),
  '',
].join('\n');

if (treeBefore !== treeAfter) progress(`warning: ${meta.tree}`);
console.log(report);
await mkdir(path.dirname(OUT), { recursive: true });
await writeFile(OUT, report);
await writeFile(OUT.replace(/\.md$/, '') + '.json', `${JSON.stringify({ meta, results: raw }, null, 2)}\n`);
progress(`wrote ${path.relative(REPO_ROOT, OUT)} and its .json`);
