/**
 * `node --import tsx bench/head-to-head.ts --before <root> [--rounds 8] [--seconds 4] [--swap]`
 *
 * This checkout's gateway ("after") against another checkout's ("before", e.g. made with
 * `git worktree add <root> <commit>` and node_modules linked into it), both on models/,
 * iris 1 row at c=128, alternating before/after, after/before … Prints each turn and the
 * after/before ratios (pooled and per round) of req/s, p50, p99 and server CPU per request.
 * `--before .` compares this checkout with itself: the noise floor. `--swap` starts the
 * "after" server first, to check that the order the servers were started in does not matter.
 */
import { parseArgs } from 'node:util';
import { SAMPLE_REPOSITORY, spawnGateway, type ServerProcess } from './processes.ts';
import { runLoad, warmUp, type LoadOptions } from './load.ts';
import { irisBody } from './request-bodies.ts';
import { mean, median, sorted } from './stats.ts';

const { values: flags } = parseArgs({
  options: {
    before: { type: 'string' },
    rounds: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '4' },
    connections: { type: 'string', default: '128' },
    swap: { type: 'boolean', default: false },
  },
});
if (flags.before === undefined) throw new Error('--before <root of the other checkout> is required');
const rounds = Number(flags.rounds);
const seconds = Number(flags.seconds);

type Name = 'before' | 'after';
const spawn = (name: Name): Promise<ServerProcess> =>
  spawnGateway({ name, repository: SAMPLE_REPOSITORY, ...(name === 'before' ? { root: flags.before } : {}) });
const order: Name[] = flags.swap ? ['after', 'before'] : ['before', 'after'];
const servers = {} as Record<Name, ServerProcess>;
for (const name of order) servers[name] = await spawn(name);
for (const name of order) await servers[name].until200('/v2/health/ready');
const load = (name: Name): LoadOptions => ({
  url: `${servers[name].url}/v2/models/iris/infer`,
  method: 'POST',
  body: irisBody(1),
  headers: { 'content-type': 'application/json' },
  connections: Number(flags.connections),
});
for (const name of order) await warmUp(load(name), 2);

const metrics = ['requestsPerSecond', 'p50Ms', 'p99Ms', 'cpuUsPerRequest'] as const;
type Turn = Record<(typeof metrics)[number], number>;
const turns: Record<Name, Turn[]> = { before: [], after: [] };
try {
  for (let round = 0; round < rounds; round += 1) {
    for (const name of round % 2 === 0 ? order : [...order].reverse()) {
      const cpu = servers[name].cpuSeconds() ?? Number.NaN;
      const result = await runLoad({ ...load(name), durationSeconds: seconds });
      if (result.non2xx + result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      const turn = { ...result, cpuUsPerRequest: (((servers[name].cpuSeconds() ?? Number.NaN) - cpu) / result.ok) * 1e6 };
      turns[name].push(turn);
      console.log(JSON.stringify({ round, name, ...Object.fromEntries(metrics.map((m) => [m, Number(turn[m].toFixed(3))])) }));
    }
  }
} finally {
  for (const name of order) await servers[name].stop();
}

for (const metric of metrics) {
  const perRound = sorted(turns.after.map((turn, i) => turn[metric] / turns.before[i]![metric]));
  const pooled = mean(turns.after.map((t) => t[metric])) / mean(turns.before.map((t) => t[metric]));
  console.log(`${metric}: after/before ${pooled.toFixed(3)} (mean of turns); per round min ${perRound[0]!.toFixed(3)}, median ${median(perRound).toFixed(3)}, max ${perRound.at(-1)!.toFixed(3)}`);
}
