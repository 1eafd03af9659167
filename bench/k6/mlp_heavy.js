// k6 load test of the compute-heavy benchmark model (bench/models/mlp_heavy): one-row
// requests at 32 VUs, first to `mlp_heavy` (dynamic batching on), then to
// `mlp_heavy_nobatch` (the same model.onnx, batching off), and prints the on/off req/s ratio
// (the harness's target: >= 2x). See README.md beside this file.
//
//   modelgate serve --model-repository bench/models --port 8000
//   k6 run -e BASE_URL=http://127.0.0.1:8000 -e DURATION_S=10 bench/k6/mlp_heavy.js
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { summarize } from './summary.js';

const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8000').replace(/\/$/, '');
const DURATION_S = Number(__ENV.DURATION_S || 10);
const VUS = Number(__ENV.VUS || 32);
const GAP_S = 2;
const FEATURES = 256;
const OUTPUTS = 16;

// One row of 256 features in [-1, 1) from a fixed xorshift sequence (the same every run).
function row() {
  const values = [];
  let state = 7;
  for (let i = 0; i < FEATURES; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    values.push(Math.fround(-1 + 2 * (state / 4294967296)));
  }
  return values;
}

const BODY = JSON.stringify({ inputs: [{ name: 'input', shape: [1, FEATURES], datatype: 'FP32', data: row() }] });
const PARAMS = { headers: { 'Content-Type': 'application/json' }, tags: { name: 'infer' } };
const url = (model) => `${BASE_URL}/v2/models/${model}/infer`;

const SCENARIOS = ['batching_on', 'batching_off'];
const thresholds = {
  http_req_failed: ['rate<0.01'],
  checks: ['rate>0.99'],
};
for (const name of SCENARIOS) {
  // Generous: catches a broken server, not a slow machine. Tighten per environment.
  thresholds[`http_req_duration{scenario:${name}}`] = ['p(99)<1000'];
  // Always true: listed so that the summary data holds per-scenario numbers.
  thresholds[`http_reqs{scenario:${name}}`] = ['count>=0'];
  thresholds[`http_req_failed{scenario:${name}}`] = ['rate>=0'];
}

export const options = {
  // Closed loop, like autocannon: each VU sends its next request when the previous one answered.
  scenarios: {
    batching_on: { executor: 'constant-vus', exec: 'batchingOn', vus: VUS, duration: `${DURATION_S}s`, startTime: '0s' },
    batching_off: { executor: 'constant-vus', exec: 'batchingOff', vus: VUS, duration: `${DURATION_S}s`, startTime: `${DURATION_S + GAP_S}s` },
  },
  thresholds,
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(99)', 'max'],
};

/** Fails fast when a model does not answer before any load is sent. */
export function setup() {
  for (const model of ['mlp_heavy', 'mlp_heavy_nobatch']) {
    const res = http.post(url(model), BODY, PARAMS);
    if (res.status !== 200) exec.test.abort(`POST ${url(model)} answered ${res.status}: ${String(res.body).slice(0, 200)}`);
  }
}

function infer(model) {
  const res = http.post(url(model), BODY, PARAMS);
  check(res, {
    'status is 200': (r) => r.status === 200,
    '16 outputs': (r) => {
      if (r.status !== 200) return false;
      const output = (r.json('outputs') || []).find((o) => o.name === 'output');
      return output !== undefined && output.data.length === OUTPUTS;
    },
  });
}

export function batchingOn() {
  infer('mlp_heavy');
}

export function batchingOff() {
  infer('mlp_heavy_nobatch');
}

export function handleSummary(data) {
  return summarize(data, SCENARIOS.map((name) => ({ name, seconds: DURATION_S })), { numerator: 'batching_on', denominator: 'batching_off', target: 2 });
}
