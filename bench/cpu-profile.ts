/**
 * Summarises V8 CPU profiles (`node --cpu-prof` writes one `.cpuprofile` per thread:
 * `CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile`, thread 0 being the main thread)
 * into the functions with the most self time, for the main thread and for the worker
 * threads together.
 *
 *   node --import tsx bench/cpu-profile.ts <dir> [--requests N] [--top 12] [--from-us T]
 *
 * Self time of a function: the sampling intervals whose innermost frame it was. Frames in
 * the gateway's esbuild bundle (dist/cli.js, dist/worker.js) are named by the source file
 * the bundle line came from (esbuild marks each module with a `// <path>` comment line).
 */
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionCost {
  name: string;
  where: string;
  selfMs: number;
}

export interface ThreadGroupSummary {
  group: 'main thread' | 'worker threads';
  profiles: number;
  /** Wall time covered by the profiles (summed over threads), ms. */
  profiledMs: number;
  /** Sampled time neither idle nor waiting for a task, ms. */
  busyMs: number;
  /** Time blocked in piscina's Atomics.wait loop (a worker waiting for its next task), ms. */
  waitingMs: number;
  top: FunctionCost[];
  /** Self time grouped by where the code lives: a gateway module, a package, a Node internal module, or a native frame. */
  modules: { module: string; selfMs: number }[];
}

/**
 * Frames that are a thread sleeping, not working: V8 reports (idle) for an idle event
 * loop, but a piscina worker blocked in Atomics.wait() between tasks shows up as the JS
 * function that called it.
 */
const isWaiting = (frame: ProfileNode['callFrame']): boolean =>
  frame.functionName === 'atomicsWaitLoop' && frame.url.includes('piscina');

/** The module a frame belongs to, for the by-module table. */
function moduleOf(frame: ProfileNode['callFrame'], at: string): string {
  if (at === '') return `native: ${frame.functionName || '(anonymous)'}`;
  if (at.endsWith(' (bundle)')) return at.slice(0, -' (bundle)'.length);
  if (frame.url.includes('node_modules/')) {
    const rest = frame.url.slice(frame.url.lastIndexOf('node_modules/') + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (frame.url.startsWith('node:')) return frame.url.replace(/^node:(internal\/)?/, 'node ');
  return at.replace(/:\d+$/, '');
}

const bundleModules = new Map<string, { line: number; module: string }[]>();

/** The source module of line `line` (0-based) of a bundle file, from esbuild's `// path` markers. */
function bundleModule(file: string, line: number): string | undefined {
  let markers = bundleModules.get(file);
  if (markers === undefined) {
    markers = [];
    if (existsSync(file)) {
      readFileSync(file, 'utf8').split('\n').forEach((text, i) => {
        const m = /^\/\/ ((?:gateway|runtimes|node_modules)\/[^\s]+\.(?:ts|js|mjs|cjs))$/.exec(text);
        if (m) markers!.push({ line: i, module: m[1]! });
      });
    }
    bundleModules.set(file, markers);
  }
  let found: string | undefined;
  for (const marker of markers) {
    if (marker.line > line) break;
    found = marker.module;
  }
  return found;
}

function where(frame: ProfileNode['callFrame']): string {
  if (frame.url === '') return '';
  let file = frame.url;
  if (file.startsWith('file://')) {
    try {
      file = fileURLToPath(file);
    } catch {
      // keep the URL
    }
  }
  if (/\/dist\/(cli|worker)\.js$/.test(file)) {
    const module = bundleModule(file, frame.lineNumber);
    if (module !== undefined) return `${module} (bundle)`;
  }
  const inModules = file.lastIndexOf('node_modules/');
  if (inModules >= 0) return file.slice(inModules + 'node_modules/'.length);
  const parts = file.split('/');
  return `${parts.slice(-2).join('/')}:${frame.lineNumber + 1}`;
}

/**
 * Self time per node id. timeDeltas[i] is the time from sample i-1 to sample i: the interval
 * ending at sample i is charged to the frame seen at sample i. Samples before `fromUs` (the
 * profile's clock: CLOCK_MONOTONIC µs on Linux, the same as process.hrtime) are left out.
 */
function selfTimes(profile: CpuProfile, fromUs: number): Map<number, number> {
  const self = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < fromUs) continue;
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + delta);
  }
  return self;
}

/**
 * `fromUs`: only samples from then on (e.g. once the server was ready, so that startup
 * (module loading, session creation) does not count); on the profiles' clock, which is
 * `process.hrtime.bigint() / 1000n` of any process on the same Linux machine.
 */
export async function summarizeProfiles(dir: string, top = 12, fromUs = 0): Promise<ThreadGroupSummary[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  const groups = new Map<ThreadGroupSummary['group'], { profiles: number; profiledUs: number; busyUs: number; waitingUs: number; costs: Map<string, FunctionCost & { selfUs: number }>; modules: Map<string, number> }>();
  for (const file of files) {
    const threadId = Number(file.split('.').at(-3));
    const group: ThreadGroupSummary['group'] = threadId === 0 ? 'main thread' : 'worker threads';
    const profile = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as CpuProfile;
    const g = groups.get(group) ?? { profiles: 0, profiledUs: 0, busyUs: 0, waitingUs: 0, costs: new Map(), modules: new Map() };
    groups.set(group, g);
    g.profiles++;
    g.profiledUs += Math.max(0, profile.endTime - Math.max(profile.startTime, fromUs));
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    for (const [id, us] of selfTimes(profile, fromUs)) {
      const frame = nodes.get(id)!.callFrame;
      if (frame.functionName === '(idle)') continue;
      if (isWaiting(frame)) {
        g.waitingUs += us;
        continue;
      }
      g.busyUs += us;
      const name = frame.functionName || '(anonymous)';
      const at = where(frame);
      const module = moduleOf(frame, at);
      g.modules.set(module, (g.modules.get(module) ?? 0) + us);
      const key = `${name}\0${at}`;
      const cost = g.costs.get(key) ?? { name, where: at, selfMs: 0, selfUs: 0 };
      cost.selfUs += us;
      g.costs.set(key, cost);
    }
  }
  return (['main thread', 'worker threads'] as const).filter((k) => groups.has(k)).map((group) => {
    const g = groups.get(group)!;
    const sorted = [...g.costs.values()].sort((a, b) => b.selfUs - a.selfUs).slice(0, top);
    return {
      group,
      profiles: g.profiles,
      profiledMs: g.profiledUs / 1000,
      busyMs: g.busyUs / 1000,
      waitingMs: g.waitingUs / 1000,
      top: sorted.map((c) => ({ name: c.name, where: c.where, selfMs: c.selfUs / 1000 })),
      modules: [...g.modules].sort((a, b) => b[1] - a[1]).slice(0, top).map(([module, us]) => ({ module, selfMs: us / 1000 })),
    };
  });
}

/** Markdown: per thread group, the top functions and the top modules by self time; µs per request when `requests` is known. */
export function profileMarkdown(summaries: readonly ThreadGroupSummary[], requests?: number): string {
  const per = (ms: number): string => (requests === undefined || requests === 0 ? '–' : ((ms * 1000) / requests).toFixed(1));
  const share = (ms: number, s: ThreadGroupSummary): string => `${((100 * ms) / s.busyMs).toFixed(1)} %`;
  return summaries.map((s) => [
    `**${s.group}** (${s.profiles} profile${s.profiles === 1 ? '' : 's'}): ${(s.busyMs / 1000).toFixed(2)} s busy${s.waitingMs > 0 ? `, ${(s.waitingMs / 1000).toFixed(2)} s waiting for tasks (piscina's Atomics.wait)` : ''}, of ${(s.profiledMs / 1000).toFixed(2)} s profiled${requests === undefined ? '' : `; ${per(s.busyMs)} µs busy per request (${requests.toLocaleString('en-US')} requests)`}.`,
    '',
    '| function | where | self ms | % of busy | µs per request |',
    '| --- | --- | ---: | ---: | ---: |',
    ...s.top.map((c) => `| \`${c.name}\` | ${c.where} | ${c.selfMs.toFixed(0)} | ${share(c.selfMs, s)} | ${per(c.selfMs)} |`),
    '',
    '| module (self time of its functions) | self ms | % of busy | µs per request |',
    '| --- | ---: | ---: | ---: |',
    ...s.modules.map((m) => `| ${m.module} | ${m.selfMs.toFixed(0)} | ${share(m.selfMs, s)} | ${per(m.selfMs)} |`),
  ].join('\n')).join('\n\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { requests: { type: 'string' }, top: { type: 'string', default: '12' }, 'from-us': { type: 'string', default: '0' } } });
  const dir = positionals[0];
  if (dir === undefined) {
    console.error('usage: node --import tsx bench/cpu-profile.ts <dir> [--requests N] [--top 12] [--from-us T]');
    process.exit(2);
  }
  const summaries = await summarizeProfiles(dir, Number(values.top), Number(values['from-us']));
  console.log(profileMarkdown(summaries, values.requests === undefined ? undefined : Number(values.requests)));
}
