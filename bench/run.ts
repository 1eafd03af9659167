/**
 * `npm run bench [-- --duration 5 --only latency --rounds 2 --warmup 1]`
 *
 * Runs the scenarios of scenarios.ts against servers spawned on 127.0.0.1,
 * prints the markdown report and writes it to bench/results/latest.md (plus
 * latest.json with the raw numbers). Each load scenario alternates its
 * targets A B B A … so drift on a shared machine hits both sides alike; read
 * the ratios, not the absolute numbers.
 */
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs, promisify } from 'node:util';
import { SCENARIOS, type LoadScenario, type RequestSpec, type Scenario, type ScriptScenario, type ServerName, type StartupScenario } from './scenarios.ts';
import { mergeLoadResults, runLoad, warmUp, type LoadOptions, type LoadResult } from './load.ts';
import { REPO_ROOT, SAMPLE_REPOSITORY, spawnBaseline, spawnGateway, type ServerProcess } from './processes.ts';
import { withoutDynamicBatching } from './repository-variants.ts';
import { describeEnvironment, loadAverage, treeState } from './environment.ts';
import { loadTable, startupTable, type LoadOutcome, type StartupOutcome, type StartupSample } from './report.ts';

const USAGE = `usage: npm run bench -- [--duration <s>] [--only <substring>[,<substring>…]] [--warmup <s>] [--rounds <n>] [--starts <n>] [--out <file>] [--list]
  --duration  seconds of measured load per server per scenario (default 5, split over the rounds)
  --only      run the scenarios whose name contains one of the substrings (see --list)
  --warmup    seconds of unmeasured load per server before each scenario (default 1)
  --rounds    alternate the servers this many times (A B, B A, …; default 4)
  --starts    cold starts per server in the startup scenario (default: the scenario's, 3)
  --out       report path (default bench/results/latest.md; latest.json beside it)`;

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    only: { type: 'string', multiple: true },
    warmup: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '4' },
    starts: { type: 'string' },
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
const selected = SCENARIOS.filter((s) => filters.length === 0 || filters.some((f) => s.name.includes(f)));

if (flags.list) {
  for (const s of SCENARIOS) console.log(`${s.name.padEnd(28)} ${s.kind === 'load' ? `c=${s.connections}  ${s.title}` : s.section}`);
  process.exit(0);
}
if (selected.length === 0) {
  console.error(`no scenario matches --only ${filters.join(',')} (see --list)`);
  process.exit(2);
}

const progress = (message: string): void => void process.stderr.write(`[bench] ${message}\n`);

// ---- servers ------------------------------------------------------------------------------

interface ServerKind {
  /** `startup`: spawned for a cold-start measurement (the gateway logs at info to print its lines). */
  spawn(startup: boolean): Promise<ServerProcess>;
  /** Answers 200 once the server can serve inferences. */
  readyPath: string;
  /** A stdout line printed when startup finished, when the server has one. */
  startupLine?: string;
  /** Serves HTTP exactly like this other server (its ping rows stand for both). */
  sameHttpAs?: ServerName;
}

const SERVERS: Record<ServerName, ServerKind> = {
  gateway: {
    spawn: (startup) => spawnGateway({ logLevel: startup ? 'info' : 'warn' }),
    readyPath: '/v2/health/ready',
    startupLine: '"msg":"startup complete"',
  },
  'gateway-nobatch': {
    spawn: async (startup) => spawnGateway({ repository: await withoutDynamicBatching(SAMPLE_REPOSITORY), logLevel: startup ? 'info' : 'warn' }),
    readyPath: '/v2/health/ready',
    startupLine: '"msg":"startup complete"',
    sameHttpAs: 'gateway',
  },
  baseline: { spawn: () => spawnBaseline(), readyPath: '/ping' },
};

const running = new Map<ServerName, Promise<ServerProcess>>();

/** The shared, ready instance of a server for load scenarios (started on first use). */
function server(name: ServerName): Promise<ServerProcess> {
  let started = running.get(name);
  if (started === undefined) {
    started = (async () => {
      progress(`starting ${name}`);
      const s = await SERVERS[name].spawn(false);
      // A server that never gets ready is stopped now rather than left loading beside the others.
      await s.until200(SERVERS[name].readyPath).catch(async (error: unknown) => {
        await s.stop();
        throw error;
      });
      return s;
    })();
    running.set(name, started);
  }
  return started;
}

async function stopAll(): Promise<void> {
  const servers = await Promise.allSettled(running.values());
  running.clear();
  await Promise.all(servers.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
}

// ---- scenarios ----------------------------------------------------------------------------

async function runStartup(scenario: StartupScenario): Promise<StartupOutcome[]> {
  const starts = STARTS ?? scenario.starts;
  const samples = new Map<ServerName, StartupSample[]>(scenario.servers.map((s) => [s, []]));
  for (let i = 0; i < starts; i++) {
    const order = i % 2 === 0 ? scenario.servers : [...scenario.servers].reverse();
    for (const name of order) {
      const kind = SERVERS[name];
      progress(`startup ${name} ${i + 1}/${starts}`);
      const s = await kind.spawn(true);
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
  return { url: `${base}${request.path}`, method: request.method, ...(request.body === undefined ? {} : { body: request.body }), connections };
}

/** One request per target before the load: every target must answer 200, and the same outputs when asked. */
async function probe(scenario: LoadScenario): Promise<string[]> {
  const bodies: { server: ServerName; outputs?: { name: string; data: unknown[] }[] }[] = [];
  for (const { server: name, request } of scenario.targets) {
    const s = await server(name);
    const response = await fetch(`${s.url}${request.path}`, {
      method: request.method,
      ...(request.body === undefined ? {} : { body: request.body, headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${name} answered ${response.status} to the probe: ${text.slice(0, 200)}`);
    bodies.push({ server: name, ...(JSON.parse(text) as { outputs?: { name: string; data: unknown[] }[] }) });
  }
  if (!scenario.sameOutputs) return [];
  const [reference, ...others] = bodies;
  const notes: string[] = [];
  for (const other of others) {
    for (const output of reference?.outputs ?? []) {
      const mine = other.outputs?.find((o) => o.name === output.name)?.data.flat(Infinity) as number[] | undefined;
      const theirs = output.data.flat(Infinity) as number[];
      const close = mine !== undefined && mine.length === theirs.length &&
        mine.every((x, i) => Math.abs(x - theirs[i]!) <= 1e-5 + 1e-4 * Math.abs(theirs[i]!));
      if (!close) notes.push(`output "${output.name}" differs between ${reference!.server} and ${other.server}`);
    }
  }
  return notes;
}

async function runLoadScenario(scenario: LoadScenario): Promise<LoadOutcome> {
  const notes = await probe(scenario);
  const targets = await Promise.all(scenario.targets.map(async (t) => ({ ...t, options: loadOptions((await server(t.server)).url, t.request, scenario.connections) })));
  for (const t of targets) {
    progress(`${scenario.name}: warm-up ${t.server} ${WARMUP}s`);
    await warmUp(t.options, WARMUP);
  }
  const runs = new Map<ServerName, LoadResult[]>(targets.map((t) => [t.server, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const t of order) {
      progress(`${scenario.name}: ${t.server} c=${scenario.connections} round ${round + 1}/${ROUNDS}`);
      const s = await server(t.server);
      const cpuBefore = s.cpuSeconds();
      const result = await runLoad({ ...t.options, durationSeconds: DURATION / ROUNDS });
      const cpuAfter = s.cpuSeconds();
      if (cpuBefore !== undefined && cpuAfter !== undefined) result.serverCpuSeconds = cpuAfter - cpuBefore;
      runs.get(t.server)!.push(result);
    }
  }
  const results = targets.map((t) => ({ server: t.server, result: mergeLoadResults(runs.get(t.server)!) }));
  for (const { server: name, result } of results) {
    if (result.non2xx + result.errors + result.timeouts > 0) {
      notes.push(`${name}: ${result.non2xx} non-2xx (${JSON.stringify(result.statusCodes)}), ${result.errors} errors, ${result.timeouts} timeouts`);
    }
  }
  return { scenario, results, notes };
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
  const { stdout } = await promisify(execFile)(command, args, { cwd: REPO_ROOT, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  const raw = JSON.parse(stdout.trim().split('\n').at(-1)!) as { markdown: string };
  return { markdown: raw.markdown, raw };
}

// ---- main ---------------------------------------------------------------------------------

const count = (kind: Scenario['kind']): number => selected.filter((s) => s.kind === kind).length;
const loadRuns = selected.reduce((n, s) => n + (s.kind === 'load' ? s.targets.length : 0), 0);
// Rough: each load target runs warm-up + duration, a cold start ~5 s, a script ~10 s + its slices.
const expectedSeconds = loadRuns * (DURATION + WARMUP) + count('startup') * 2 * (STARTS ?? 3) * 5 + count('script') * (10 + DURATION * 2) + 10;
progress(`${selected.length} scenarios; about ${Math.round(expectedSeconds)} s`);

const startedAt = new Date();
const treeBefore = await treeState();
const loadBefore = loadAverage();
const sections = new Map<string, string[]>();
const loadOutcomes = new Map<string, LoadOutcome>();
const raw: Record<string, unknown> = {};
const add = (section: string, markdown: string): void => void sections.set(section, [...(sections.get(section) ?? []), markdown]);

// Load scenarios share the servers; the startup and script scenarios run while no server is up.
const ordered: Scenario[] = [...selected.filter((s) => s.kind === 'startup'), ...selected.filter((s) => s.kind === 'load'), ...selected.filter((s) => s.kind === 'script')];
for (const scenario of ordered) {
  try {
    if (scenario.kind === 'startup') {
      const outcomes = await runStartup(scenario);
      raw[scenario.name] = outcomes;
      add(scenario.section, startupTable(outcomes));
    } else if (scenario.kind === 'load') {
      const outcome = await runLoadScenario(scenario);
      loadOutcomes.set(scenario.name, outcome);
      raw[scenario.name] = outcome.results.map(({ server: name, result: { latenciesMs: _omit, ...rest } }) => ({ server: name, ...rest }));
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
}
await stopAll();

// Load tables are built last: a row may show its share of a ceiling measured after it.
const ceilingOf = (outcome: LoadOutcome, name: ServerName): number | undefined => {
  const rows = outcome.scenario.ceiling === undefined ? undefined : loadOutcomes.get(outcome.scenario.ceiling)?.results;
  const row = rows?.find((r) => r.server === name) ?? rows?.find((r) => r.server === SERVERS[name].sameHttpAs);
  return row?.result.requestsPerSecond;
};
const bySection = new Map<string, LoadOutcome[]>();
for (const outcome of loadOutcomes.values()) bySection.set(outcome.scenario.section, [...(bySection.get(outcome.scenario.section) ?? []), outcome]);
for (const [section, outcomes] of bySection) add(section, loadTable(outcomes, ceilingOf));

const treeAfter = await treeState();
const environment = await describeEnvironment();
const meta = {
  date: startedAt.toISOString(),
  tree: treeBefore === treeAfter ? treeBefore : `${treeBefore} at the start, ${treeAfter} at the end: THE TREE CHANGED DURING THE RUN`,
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  ...environment,
  loadAverage: { before: loadBefore, after: loadAverage() },
  settings: { durationSecondsPerServer: DURATION, warmupSeconds: WARMUP, rounds: ROUNDS },
};
// Sections in scenario-list order.
const sectionOrder = [...new Set(SCENARIOS.map((s) => s.section))].filter((s) => sections.has(s));
const report = [
  `# modelgate bench: ${meta.date}`,
  '',
  `\`${meta.command}\` · ${meta.tree} · node ${meta.node} · onnxruntime-node ${meta.onnxruntimeNode} · piscina ${meta.piscina} · autocannon ${meta.autocannon} · hono ${meta.hono}`,
  `${meta.cpu} · ${meta.os} · load average (1/5/15 min) before ${meta.loadAverage.before.join(' / ')}, after ${meta.loadAverage.after.join(' / ')}`,
  `${DURATION} s measured per server per load scenario (${ROUNDS} alternating rounds) after ${WARMUP} s of warm-up; load generator: autocannon in the harness process; servers in their own processes on 127.0.0.1.`,
  ...sectionOrder.flatMap((section) => ['', `## ${section}`, '', ...sections.get(section)!.flatMap((m, i) => (i > 0 ? ['', m] : [m]))]),
  '',
].join('\n');

if (treeBefore !== treeAfter) progress(`warning: ${meta.tree}`);
console.log(report);
const out = path.resolve(REPO_ROOT, flags.out);
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, report);
await writeFile(out.replace(/\.md$/, '') + '.json', `${JSON.stringify({ meta, results: raw }, null, 2)}\n`);
progress(`wrote ${path.relative(REPO_ROOT, out)} and its .json`);
