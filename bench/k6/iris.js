// k6 load test of the iris model over KServe v2 REST: the same scenarios as
// `npm run bench` (latency at concurrency 1; throughput at concurrency 32 with
// 1-row and 8-row requests), one after another. See README.md beside this file.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8000 -e DURATION_S=10 bench/k6/iris.js
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';

const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8000').replace(/\/$/, '');
const MODEL = __ENV.MODEL || 'iris';
/** Empty: the latest ready version; set e.g. VERSION=1 to pin one. */
const VERSION = __ENV.VERSION || '';
const DURATION_S = Number(__ENV.DURATION_S || 10);
const GAP_S = 2;
const INFER_URL = `${BASE_URL}/v2/models/${MODEL}${VERSION ? `/versions/${VERSION}` : ''}/infer`;

// Rows of the iris training data (sepal length, sepal width, petal length, petal width).
const ROWS = [
  [5.1, 3.5, 1.4, 0.2], [4.9, 3, 1.4, 0.2], [5.2, 2.7, 3.9, 1.4], [6, 2.2, 4, 1],
  [7.7, 2.8, 6.7, 2], [6.7, 3.3, 5.7, 2.1], [5.4, 3.9, 1.7, 0.4], [6.2, 2.8, 4.8, 1.8],
];

function body(rows) {
  const data = [];
  for (let i = 0; i < rows; i++) data.push(...ROWS[i % ROWS.length]);
  return JSON.stringify({ inputs: [{ name: 'input', shape: [rows, 4], datatype: 'FP32', data }] });
}

const ONE_ROW = body(1);
const EIGHT_ROWS = body(8);
const PARAMS = { headers: { 'Content-Type': 'application/json' }, tags: { name: 'infer' } };

const at = (slot) => `${slot * (DURATION_S + GAP_S)}s`;

export const options = {
  // Closed loop, like autocannon: each VU sends its next request when the previous one answered.
  scenarios: {
    iris_c1: { executor: 'constant-vus', exec: 'oneRow', vus: 1, duration: `${DURATION_S}s`, startTime: at(0) },
    iris_c32_1row: { executor: 'constant-vus', exec: 'oneRow', vus: 32, duration: `${DURATION_S}s`, startTime: at(1) },
    iris_c32_8rows: { executor: 'constant-vus', exec: 'eightRows', vus: 32, duration: `${DURATION_S}s`, startTime: at(2) },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    // Generous bounds: these catch a broken server, not a slow machine. Tighten per environment.
    'http_req_duration{scenario:iris_c1}': ['p(99)<50'],
    'http_req_duration{scenario:iris_c32_1row}': ['p(99)<250'],
    'http_req_duration{scenario:iris_c32_8rows}': ['p(99)<250'],
    // Always true: listed so the end-of-test summary shows requests and rate per scenario.
    'http_reqs{scenario:iris_c1}': ['count>=0'],
    'http_reqs{scenario:iris_c32_1row}': ['count>=0'],
    'http_reqs{scenario:iris_c32_8rows}': ['count>=0'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(99)', 'max'],
};

/** Fails fast when the model does not answer before any load is sent. */
export function setup() {
  const res = http.post(INFER_URL, ONE_ROW, PARAMS);
  if (res.status !== 200) exec.test.abort(`POST ${INFER_URL} answered ${res.status}: ${String(res.body).slice(0, 200)}`);
}

function infer(payload, rows) {
  const res = http.post(INFER_URL, payload, PARAMS);
  check(res, {
    'status is 200': (r) => r.status === 200,
    'one label per row': (r) => {
      if (r.status !== 200) return false;
      const label = (r.json('outputs') || []).find((o) => o.name === 'label');
      return label !== undefined && label.data.length === rows;
    },
  });
}

export function oneRow() {
  infer(ONE_ROW, 1);
}

export function eightRows() {
  infer(EIGHT_ROWS, 8);
}
