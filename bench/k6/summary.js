// Shared end-of-test summary of the k6 scripts in this folder: one line per scenario
// (requests, req/s over the scenario's own duration, p50 / p99 latency, failures) and the
// ratio of two scenarios' req/s, computed from k6's summary data (`handleSummary(data)`).
// Every scenario must list `http_reqs{scenario:<name>}`, `http_req_duration{scenario:<name>}`
// and `http_req_failed{scenario:<name>}` in `options.thresholds`, so that k6 keeps those
// sub-metrics in the summary data.

function value(data, metric, stat) {
  const m = data.metrics[metric];
  return m && m.values ? m.values[stat] : undefined;
}

function fixed(x, digits) {
  return typeof x === 'number' && isFinite(x) ? x.toFixed(digits) : '-';
}

/**
 * scenarios: [{ name, seconds }] in print order; ratio: { numerator, denominator, target } names
 * two of them (req/s of one over the other). Writes the full summary data as JSON to
 * SUMMARY_JSON when that variable is set.
 */
export function summarize(data, scenarios, ratio) {
  const lines = ['', 'scenario                    requests      req/s     p50 ms     p99 ms   failed'];
  const rates = {};
  for (const s of scenarios) {
    const count = value(data, `http_reqs{scenario:${s.name}}`, 'count');
    const rate = typeof count === 'number' ? count / s.seconds : undefined;
    rates[s.name] = rate;
    lines.push([
      s.name.padEnd(26),
      String(count === undefined ? '-' : count).padStart(10),
      fixed(rate, 1).padStart(10),
      fixed(value(data, `http_req_duration{scenario:${s.name}}`, 'med'), 2).padStart(10),
      fixed(value(data, `http_req_duration{scenario:${s.name}}`, 'p(99)'), 2).padStart(10),
      `${fixed(100 * (value(data, `http_req_failed{scenario:${s.name}}`, 'rate') || 0), 2)} %`.padStart(9),
    ].join('  '));
  }
  if (ratio) {
    const a = rates[ratio.numerator];
    const b = rates[ratio.denominator];
    const r = typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : undefined;
    const verdict = r === undefined ? '' : r >= ratio.target ? ` (target >= ${ratio.target}x: met)` : ` (target >= ${ratio.target}x: missed)`;
    lines.push('', `req/s ${ratio.numerator} / ${ratio.denominator}: ${fixed(r, 2)}x${verdict}`);
  }
  const checks = value(data, 'checks', 'rate');
  lines.push(`checks passed: ${fixed(100 * (checks === undefined ? NaN : checks), 2)} %`, '');
  const out = { stdout: lines.join('\n') };
  if (__ENV.SUMMARY_JSON) out[__ENV.SUMMARY_JSON] = JSON.stringify(data, null, 2);
  return out;
}
