import type { LoadResult } from './load.ts';
import type { LoadScenario, ServerName } from './scenarios.ts';
import { median, ratio } from './stats.ts';

/** Markdown for the harness's results. Numbers only; the reading lives in RESULTS.md. */

export interface LoadOutcome {
  scenario: LoadScenario;
  /** Pooled over rounds, in the scenario's target order. */
  results: { server: ServerName; result: LoadResult }[];
  notes: string[];
}

export interface StartupSample {
  /** Milliseconds from spawn; undefined when the server prints no such line. */
  listeningMs?: number;
  startupCompleteLineMs?: number;
  /** The gateway's own `seconds` field of `startup complete`, in ms (excludes node + tsx boot). */
  selfReportedMs?: number;
  readyMs: number;
  stopMs: number;
}

export interface StartupOutcome {
  server: ServerName;
  samples: StartupSample[];
}

export function num(x: number | undefined, digits?: number): string {
  if (x === undefined || Number.isNaN(x)) return '–';
  if (digits !== undefined) return x.toFixed(digits);
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 10) return x.toFixed(1);
  if (Math.abs(x) >= 1) return x.toFixed(2);
  return x.toFixed(3);
}

/** Server CPU (all threads) per 2xx response, microseconds. */
function cpuPerRequestUs(result: LoadResult): number | undefined {
  return result.serverCpuSeconds === undefined || result.ok === 0 ? undefined : (result.serverCpuSeconds * 1e6) / result.ok;
}

const times = (x: number): string => (Number.isNaN(x) ? '–' : `${x.toFixed(2)}×`);

/** "median (min–max)" of one field over the starts. */
function spread(values: (number | undefined)[]): string {
  const present = values.filter((v): v is number => v !== undefined);
  if (present.length === 0) return '–';
  const m = median(present);
  if (present.length === 1) return num(m, 0);
  return `${num(m, 0)} (${num(Math.min(...present), 0)}–${num(Math.max(...present), 0)})`;
}

export function startupTable(outcomes: readonly StartupOutcome[]): string {
  const rows = outcomes.map(({ server, samples }) => {
    const pick = (f: (s: StartupSample) => number | undefined): string => spread(samples.map(f));
    return `| ${server} | ${samples.length} | ${pick((s) => s.listeningMs)} | ${pick((s) => s.startupCompleteLineMs)} | ${pick((s) => s.selfReportedMs)} | **${pick((s) => s.readyMs)}** | ${pick((s) => s.stopMs)} |`;
  });
  const lines = [
    'Milliseconds, median of the starts (min–max). "ready": first 200 from the readiness route (gateway `/v2/health/ready`, baseline `/ping`), polled every 10 ms.',
    '',
    '| server | starts | spawn → `listening` | spawn → `startup complete` line | `startup complete` self-reported | spawn → ready | SIGTERM → exit |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ];
  const reference = outcomes.at(-1);
  const readyOf = (o: StartupOutcome): number => median(o.samples.map((s) => s.readyMs));
  if (reference !== undefined && outcomes.length > 1) {
    lines.push('', outcomes.slice(0, -1).map((o) => `Time to ready, ${o.server} / ${reference.server}: **${times(ratio(readyOf(o), readyOf(reference)))}**`).join('; '));
  }
  return lines.join('\n');
}

/**
 * One row per (scenario, server). Every row but the scenario's last carries
 * ratios to the last (the reference). `ceilingOf` gives a server's req/s on
 * the scenario named by `scenario.ceiling`, when there is one.
 */
export function loadTable(outcomes: readonly LoadOutcome[], ceilingOf: (outcome: LoadOutcome, server: ServerName) => number | undefined): string {
  const lines = [
    'Ratios are each row / the last row of its scenario (the reference, the naive baseline), measured in the same run: req/s ratio > 1 means that server serves more; latency and CPU ratios > 1 mean it is slower or costlier. Latency in ms over 2xx responses. Server CPU: user + system time of the server process (every thread, from /proc, 10 ms grain) per response: what a response costs the server, whatever share of the CPU it got.',
    '',
    '| scenario | c | server | req/s | p50 ms | p99 ms | server CPU µs/req | non-2xx / errors | req/s as % of own ping | req/s ratio | p50 ratio | p99 ratio | CPU/req ratio |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const outcome of outcomes) {
    const reference = outcome.results.at(-1)?.result;
    outcome.results.forEach(({ server, result }, i) => {
      const ceiling = ceilingOf(outcome, server);
      const share = ceiling === undefined ? '–' : `${num((100 * result.requestsPerSecond) / ceiling, 0)} %`;
      const compare = reference !== undefined && i < outcome.results.length - 1
        ? [
          times(ratio(result.requestsPerSecond, reference.requestsPerSecond)),
          times(ratio(result.p50Ms, reference.p50Ms)),
          times(ratio(result.p99Ms, reference.p99Ms)),
          times(ratio(cpuPerRequestUs(result), cpuPerRequestUs(reference))),
        ]
        : ['', '', '', ''];
      const name = i === 0 ? `${outcome.scenario.title} \`${outcome.scenario.name}\`` : '';
      const c = i === 0 ? String(outcome.scenario.connections) : '';
      const failures = `${result.non2xx} / ${result.errors + result.timeouts}`;
      lines.push(`| ${name} | ${c} | ${server} | ${num(result.requestsPerSecond)} | ${num(result.p50Ms)} | ${num(result.p99Ms)} | ${num(cpuPerRequestUs(result), 0)} | ${failures} | ${share} | ${compare.map((x) => (x ? `**${x}**` : '')).join(' | ')} |`);
    });
  }
  const generator = outcomes.flatMap((o) => o.results.map(({ result }) => (result.ok > 0 ? (result.generatorCpuSeconds * 1e6) / result.ok : Number.NaN)))
    .filter((x) => !Number.isNaN(x));
  const busy = outcomes.flatMap((o) => o.results.map(({ result }) => (100 * result.generatorCpuSeconds) / result.seconds));
  if (generator.length > 0) {
    lines.push('', `Load generator (autocannon in the harness process) CPU per response: ${num(Math.min(...generator), 0)}–${num(Math.max(...generator), 0)} µs; it kept ${num(Math.min(...busy), 0)}–${num(Math.max(...busy), 0)} % of one core busy, on the same cores as the servers.`);
  }
  const notes = outcomes.flatMap((o) => o.notes.map((n) => `- \`${o.scenario.name}\`: ${n}`));
  if (notes.length > 0) lines.push('', ...notes);
  return lines.join('\n');
}
