import type { LoadResult } from './load.ts';
import type { LoadScenario, ServerName, TargetCheck } from './scenarios.ts';
import type { ConfigResult } from './ort-ceiling.ts';
import type { BatchTotals } from './gateway-metrics.ts';
import { median, ratio } from './stats.ts';

/** Markdown for the harness's results. Numbers only; the reading lives in RESULTS.md. */

/** One target of a load scenario, pooled over its rounds (and each round kept for the spread). */
export interface TargetOutcome {
  label: string;
  /** Undefined for the in-process ceiling. */
  server?: ServerName;
  /** Rows per request (server targets that send inference requests). */
  rows?: number;
  /** Server targets: pooled over rounds, and each round. */
  result?: LoadResult;
  rounds: LoadResult[];
  /** Ceiling targets: each configuration pooled over rounds, and each round's sweep. */
  ceiling?: { pooled: ConfigResult[]; rounds: ConfigResult[][] };
  /** Gateways: what the batcher dispatched for the request's model during the measured slices. */
  batches?: BatchTotals;
}

export interface LoadOutcome {
  scenario: LoadScenario;
  /** In the scenario's target order. */
  results: TargetOutcome[];
  notes: string[];
}

export interface StartupSample {
  /** Milliseconds from spawn; undefined when the server prints no such line. */
  listeningMs?: number;
  startupCompleteLineMs?: number;
  /** The gateway's own `seconds` field of `startup complete`, in ms (excludes node boot). */
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

const times = (x: number): string => (Number.isNaN(x) ? '–' : `${x.toFixed(2)}×`);

// ---- metrics of a target ------------------------------------------------------------------

/** The best ceiling configuration by pooled rows/s. */
export function bestConfig(configs: readonly ConfigResult[]): ConfigResult | undefined {
  return configs.reduce<ConfigResult | undefined>((b, c) => (b === undefined || c.rows / c.seconds > b.rows / b.seconds ? c : b), undefined);
}

type Metric = TargetCheck['metric'] | 'p50Ms';

function serverMetric(result: LoadResult, rows: number | undefined, metric: Metric): number | undefined {
  switch (metric) {
    case 'requestsPerSecond': return result.requestsPerSecond;
    case 'rowsPerSecond': return rows === undefined ? undefined : result.requestsPerSecond * rows;
    case 'p50Ms': return result.p50Ms;
    case 'p99Ms': return result.p99Ms;
    case 'cpuPerRequestUs': return result.serverCpuSeconds === undefined || result.ok === 0 ? undefined : (result.serverCpuSeconds * 1e6) / result.ok;
  }
}

function ceilingMetric(config: ConfigResult | undefined, metric: Metric): number | undefined {
  if (config === undefined) return undefined;
  if (metric === 'rowsPerSecond') return config.rows / config.seconds;
  // CPU per row: what a 1-row request would cost at that batch size.
  if (metric === 'cpuPerRequestUs') return (config.cpuSeconds * 1e6) / config.rows;
  return undefined;
}

/** A target's pooled metric. */
export function metricOf(t: TargetOutcome, metric: Metric): number | undefined {
  if (t.ceiling !== undefined) return ceilingMetric(bestConfig(t.ceiling.pooled), metric);
  return t.result === undefined ? undefined : serverMetric(t.result, t.rows, metric);
}

/** A target's metric in each round (the ceiling: the pooled-best configuration in each round). */
function metricPerRound(t: TargetOutcome, metric: Metric): (number | undefined)[] {
  if (t.ceiling !== undefined) {
    const best = bestConfig(t.ceiling.pooled);
    return t.ceiling.rounds.map((sweep) => ceilingMetric(sweep.find((c) => c.layout === best?.layout && c.batch === best?.batch), metric));
  }
  return t.rounds.map((r) => serverMetric(r, t.rows, metric));
}

/** CPU seconds per wall second: how many cores the server (or the ceiling process) kept busy. */
function coresOf(t: TargetOutcome): number | undefined {
  if (t.ceiling !== undefined) {
    const best = bestConfig(t.ceiling.pooled);
    return best === undefined ? undefined : best.cpuSeconds / best.seconds;
  }
  return t.result?.serverCpuSeconds === undefined ? undefined : t.result.serverCpuSeconds / t.result.seconds;
}

/** Throughput for ratios: rows/s when both sides carry rows, else req/s. */
function throughputRatio(a: TargetOutcome, b: TargetOutcome): number {
  const rows = metricOf(a, 'rowsPerSecond') !== undefined && metricOf(b, 'rowsPerSecond') !== undefined;
  const metric = rows ? 'rowsPerSecond' : 'requestsPerSecond';
  return ratio(metricOf(a, metric), metricOf(b, metric));
}

// ---- tables ---------------------------------------------------------------------------------

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
 * One row per (scenario, target). Every row but the scenario's last carries ratios to the
 * last (the reference). `ceilingOf` gives a server's req/s on the scenario named by
 * `scenario.ceiling`, when there is one.
 */
export function loadTable(outcomes: readonly LoadOutcome[], ceilingOf: (outcome: LoadOutcome, server: ServerName) => number | undefined): string {
  const lines = [
    'Ratios are each row / the last row of its scenario (the reference), measured in the same run: a throughput ratio > 1 means that row serves more (rows/s, or req/s for routes without rows); latency and CPU ratios > 1 mean it is slower or costlier. Latency in ms over 2xx responses. Server CPU: user + system time of the server process (every thread, from /proc, 10 ms grain) per response: what a response costs the server, whatever share of the CPU it got; "cores" is that CPU time over the wall time (2 would be every core of this machine). Mean batch: rows per batch the gateway dispatched for that model during the measurement (from its /metrics). The in-process ceiling has no requests: its CPU is per row.',
    '',
    '| scenario | c | target | req/s | rows/s | p50 ms | p99 ms | server CPU µs/req | cores | mean batch | non-2xx / errors | req/s as % of own ping | throughput ratio | p50 ratio | p99 ratio | CPU/req ratio |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const ceilingNotes: string[] = [];
  for (const outcome of outcomes) {
    const reference = outcome.results.at(-1);
    outcome.results.forEach((t, i) => {
      const ping = t.server === undefined ? undefined : ceilingOf(outcome, t.server);
      const rps = metricOf(t, 'requestsPerSecond');
      const share = ping === undefined || rps === undefined ? '–' : `${num((100 * rps) / ping, 0)} %`;
      const compare = reference !== undefined && i < outcome.results.length - 1
        ? [
          times(throughputRatio(t, reference)),
          times(ratio(metricOf(t, 'p50Ms'), metricOf(reference, 'p50Ms'))),
          times(ratio(metricOf(t, 'p99Ms'), metricOf(reference, 'p99Ms'))),
          times(ratio(metricOf(t, 'cpuPerRequestUs'), metricOf(reference, 'cpuPerRequestUs'))),
        ]
        : ['', '', '', ''];
      const name = i === 0 ? `${outcome.scenario.title} \`${outcome.scenario.name}\`` : '';
      const c = i === 0 ? String(outcome.scenario.connections) : '';
      const failures = t.result === undefined ? '–' : `${t.result.non2xx} / ${t.result.errors + t.result.timeouts}`;
      const batch = t.batches === undefined || t.batches.batches === 0 ? '–' : num(t.batches.rows / t.batches.batches, 1);
      let label = t.label;
      if (t.ceiling !== undefined) {
        const best = bestConfig(t.ceiling.pooled);
        if (best !== undefined) label += ` (best: ${best.layout}, batch ${best.batch})`;
        ceilingNotes.push(`\`${outcome.scenario.name}\`, ${t.label}: every configuration, pooled over the rounds (CPU is per row, the whole process):\n\n${ceilingConfigTable(t.ceiling.pooled)}`);
      }
      const cells = [
        name, c, label, num(rps), num(metricOf(t, 'rowsPerSecond')), num(metricOf(t, 'p50Ms')), num(metricOf(t, 'p99Ms')),
        num(metricOf(t, 'cpuPerRequestUs'), 0), num(coresOf(t), 2), batch, failures, share, ...compare.map((x) => (x ? `**${x}**` : '')),
      ];
      lines.push(`| ${cells.join(' | ')} |`);
    });
  }
  const generator = outcomes.flatMap((o) => o.results.flatMap((t) => (t.result !== undefined && t.result.ok > 0 ? [(t.result.generatorCpuSeconds * 1e6) / t.result.ok] : [])));
  const busy = outcomes.flatMap((o) => o.results.flatMap((t) => (t.result === undefined ? [] : [(100 * t.result.generatorCpuSeconds) / t.result.seconds])));
  if (generator.length > 0) {
    lines.push('', `Load generator (autocannon in the harness process) CPU per response: ${num(Math.min(...generator), 0)}–${num(Math.max(...generator), 0)} µs; it kept ${num(Math.min(...busy), 0)}–${num(Math.max(...busy), 0)} % of one core busy, on the same cores as the servers.`);
  }
  if (ceilingNotes.length > 0) lines.push('', ...ceilingNotes);
  const notes = outcomes.flatMap((o) => o.notes.map((n) => `- \`${o.scenario.name}\`: ${n}`));
  if (notes.length > 0) lines.push('', ...notes);
  return lines.join('\n');
}

function ceilingConfigTable(configs: readonly ConfigResult[]): string {
  const best = bestConfig(configs);
  return [
    '| layout | batch | rows/s | runs | CPU µs per row |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...configs.map((c) => {
      const mark = c === best ? '**' : '';
      return `| ${c.layout} | ${c.batch} | ${mark}${num(c.rows / c.seconds)}${mark} | ${c.runs} | ${num((c.cpuSeconds * 1e6) / c.rows, 1)} |`;
    }),
  ].join('\n');
}

/**
 * The issues' targets: measured ratio (pooled), its range over the rounds (each round's
 * numerator / the same round's denominator, measured seconds apart), and the verdict.
 */
export function targetsTable(checks: readonly TargetCheck[], outcomes: ReadonlyMap<string, LoadOutcome>): string | undefined {
  const lines = [
    'Each ratio is numerator / denominator from the tables above (pooled over the rounds); "per round" is the same ratio within each alternation round (min – median – max), a direct view of the noise.',
    '',
    '| target | scenario | numerator / denominator | measured | per round (min – median – max) | verdict |',
    '| --- | --- | --- | ---: | ---: | --- |',
  ];
  for (const check of checks) {
    const outcome = outcomes.get(check.scenario);
    if (outcome === undefined) continue;
    const a = outcome.results.find((t) => t.label === check.numerator);
    const b = outcome.results.find((t) => t.label === check.denominator);
    // A run that left either side out (--targets) has nothing to say about this target.
    if (a === undefined || b === undefined) continue;
    const measured = ratio(metricOf(a, check.metric), metricOf(b, check.metric));
    const perA = metricPerRound(a, check.metric);
    const perB = metricPerRound(b, check.metric);
    const per = perA.map((x, i) => ratio(x, perB[i])).filter((x) => !Number.isNaN(x)).sort((x, y) => x - y);
    const range = per.length === 0 ? '–' : `${times(per[0]!)} – ${times(median(per))} – ${times(per.at(-1)!)}`;
    let verdict = '(no target)';
    if (!Number.isNaN(measured) && check.atLeast !== undefined) {
      verdict = measured >= check.atLeast ? `**met** (≥ ${check.atLeast}×)` : `**missed**: ${num(100 * (1 - measured / check.atLeast), 0)} % short of ${check.atLeast}×`;
    } else if (!Number.isNaN(measured) && check.atMost !== undefined) {
      verdict = measured <= check.atMost ? `**met** (≤ ${check.atMost}×)` : `**missed**: ${num(100 * (measured / check.atMost - 1), 0)} % over ${check.atMost}×`;
    }
    lines.push(`| ${check.claim} | \`${check.scenario}\` | ${check.metric}: ${check.numerator} / ${check.denominator} | **${times(measured)}** | ${range} | ${verdict} |`);
  }
  return lines.length > 4 ? lines.join('\n') : undefined;
}
