// k6 load test of large request bodies (bench/models/image_large, one 1x3x224x224 FP32
// image per request) at 8 VUs: first as KServe v2 JSON (~2.9 MB of text), then with
// Triton's binary tensor extension (a small JSON header, then the 602,112 raw bytes,
// `Inference-Header-Content-Length` giving the header's length; outputs still as JSON),
// and prints the binary/JSON req/s ratio (the harness's target: >= 4x). See README.md.
//
//   modelgate serve --model-repository bench/models --port 8000
//   k6 run -e BASE_URL=http://127.0.0.1:8000 -e DURATION_S=10 bench/k6/image_large.js
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { summarize } from './summary.js';

const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8000').replace(/\/$/, '');
const DURATION_S = Number(__ENV.DURATION_S || 10);
const VUS = Number(__ENV.VUS || 8);
const GAP_S = 2;
const URL = `${BASE_URL}/v2/models/image_large/infer`;
const SHAPE = [1, 3, 224, 224];
const VALUES = 3 * 224 * 224;
const CLASSES = 10;

// Pixels in [0, 1) from a fixed xorshift sequence (the same every run), held as float32.
const pixels = new Float32Array(VALUES);
let state = 11;
for (let i = 0; i < VALUES; i++) {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  pixels[i] = state / 4294967296;
}

// JSON: every float32 value written as JSON prints it (as a double), flat `data`.
const JSON_BODY = JSON.stringify({ inputs: [{ name: 'image', shape: SHAPE, datatype: 'FP32', data: Array.from(pixels) }] });
const JSON_PARAMS = { headers: { 'Content-Type': 'application/json' }, tags: { name: 'infer' } };

// Binary: the JSON header (ASCII, so one byte per character), then the raw little-endian
// float32 bytes (typed arrays use the platform's byte order: little-endian on x86 and ARM).
const header = JSON.stringify({ inputs: [{ name: 'image', shape: SHAPE, datatype: 'FP32', parameters: { binary_data_size: pixels.byteLength } }] });
const binary = new Uint8Array(header.length + pixels.byteLength);
for (let i = 0; i < header.length; i++) binary[i] = header.charCodeAt(i);
binary.set(new Uint8Array(pixels.buffer), header.length);
// http.post sends an ArrayBuffer as is (the typed array's .buffer, not the view).
const BINARY_BODY = binary.buffer;
const BINARY_PARAMS = {
  headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(header.length) },
  tags: { name: 'infer' },
};

const SCENARIOS = ['json', 'binary'];
const thresholds = {
  http_req_failed: ['rate<0.01'],
  checks: ['rate>0.99'],
};
for (const name of SCENARIOS) {
  // Generous: catches a broken server, not a slow machine. Tighten per environment.
  thresholds[`http_req_duration{scenario:${name}}`] = ['p(99)<5000'];
  // Always true: listed so that the summary data holds per-scenario numbers.
  thresholds[`http_reqs{scenario:${name}}`] = ['count>=0'];
  thresholds[`http_req_failed{scenario:${name}}`] = ['rate>=0'];
}

export const options = {
  // Closed loop, like autocannon: each VU sends its next request when the previous one answered.
  scenarios: {
    json: { executor: 'constant-vus', exec: 'jsonRequest', vus: VUS, duration: `${DURATION_S}s`, startTime: '0s' },
    binary: { executor: 'constant-vus', exec: 'binaryRequest', vus: VUS, duration: `${DURATION_S}s`, startTime: `${DURATION_S + GAP_S}s` },
  },
  thresholds,
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(99)', 'max'],
};

/** Fails fast when the model does not answer (either encoding) before any load is sent. */
export function setup() {
  for (const [body, params] of [[JSON_BODY, JSON_PARAMS], [BINARY_BODY, BINARY_PARAMS]]) {
    const res = http.post(URL, body, params);
    if (res.status !== 200) exec.test.abort(`POST ${URL} answered ${res.status}: ${String(res.body).slice(0, 200)}`);
  }
}

function verify(res) {
  check(res, {
    'status is 200': (r) => r.status === 200,
    '10 logits': (r) => {
      if (r.status !== 200) return false;
      const logits = (r.json('outputs') || []).find((o) => o.name === 'logits');
      return logits !== undefined && logits.data.length === CLASSES;
    },
  });
}

export function jsonRequest() {
  verify(http.post(URL, JSON_BODY, JSON_PARAMS));
}

export function binaryRequest() {
  verify(http.post(URL, BINARY_BODY, BINARY_PARAMS));
}

export function handleSummary(data) {
  return summarize(data, SCENARIOS.map((name) => ({ name, seconds: DURATION_S })), { numerator: 'binary', denominator: 'json', target: 4 });
}
