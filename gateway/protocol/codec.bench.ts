/**
 * Micro-benchmark of the KServe JSON codec (not a test; numbers quoted in json-body.ts and
 * infer-response.ts come from here):
 *   node --import tsx gateway/protocol/codec.bench.ts
 */
import type { Tensor } from '../../runtimes/tensor.ts';
import { decodeInferRequest, type ModelSignature } from './infer-request.ts';
import { encodeInferResponse } from './infer-response.ts';
import { parseJsonBody, scanJson } from './json-body.ts';
import { parse as parseLossless } from 'lossless-json';

function ms(fn: () => unknown, runs = 30): string {
  for (let i = 0; i < 5; i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) fn();
  return (Number(process.hrtime.bigint() - start) / 1e6 / runs).toFixed(2);
}

let seed = 1;
const rand = (): number => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;

function body(datatype: string, shape: number[], data: unknown[]): string {
  return JSON.stringify({ inputs: [{ name: 't', datatype, shape, data }] });
}
const n32 = 60_000;
const f32 = Array.from({ length: n32 }, () => Math.fround(rand() * 2 - 1));
const rows = Array.from({ length: n32 / 4 }, (_, r) => f32.slice(r * 4, r * 4 + 4));
const ints = Array.from({ length: 250_000 }, () => Math.floor(rand() * 1000));
const big = Array.from({ length: 50_000 }, () => BigInt(Math.floor(rand() * 2 ** 53)) * 1024n - 2n ** 62n);
const int64Body = `{"inputs":[{"name":"t","datatype":"INT64","shape":[${big.length}],"data":[${big.join(',')}]}]}`;
const bodies: [string, string, ModelSignature][] = [
  ['FP32 flat', body('FP32', [n32], f32), sig('FP32', 1)],
  ['FP32 rows of 4', body('FP32', [n32 / 4, 4], rows), sig('FP32', 2)],
  ['INT32 < 1000', body('INT32', [ints.length], ints), sig('INT32', 1)],
  ['INT64 ~2^62', int64Body, sig('INT64', 1)],
];
function sig(datatype: 'FP32' | 'INT32' | 'INT64', rank: number): ModelSignature {
  const shape = new Array<number>(rank).fill(-1);
  return { maxBatchSize: 0, inputs: [{ name: 't', datatype, shape }], outputs: [] };
}

console.log('request bodies (ms per body)');
for (const [name, text, model] of bodies) {
  const buf = Buffer.from(text);
  const parsed = parseJsonBody(text, { maxDepth: 100 });
  console.log(`  ${name.padEnd(16)} ${(text.length / 1e6).toFixed(2)} MB:` +
    ` toString ${ms(() => buf.toString('utf8'))}` +
    `  scan ${ms(() => scanJson(text, 100))}` +
    `  JSON.parse ${ms(() => JSON.parse(text))}` +
    `  parseJsonBody(Buffer) ${ms(() => parseJsonBody(buf, { maxDepth: 100 }))}` +
    `  exact parser ${ms(() => parseLossless(text), 10)}` +
    `  decode ${ms(() => decodeInferRequest(parsed, model))}`);
}

const n = 1_000_000;
const f32a = new Float32Array(n).map(() => rand() * 2 - 1);
const f64a = new Float64Array(n).map(() => rand() * 2 - 1);
const tensors: Tensor[] = [
  { datatype: 'FP32', shape: [n], data: f32a },
  { datatype: 'FP64', shape: [n], data: f64a },
  { datatype: 'INT32', shape: [n], data: new Int32Array(n).map(() => (rand() * 2e6) | 0) },
  { datatype: 'INT64', shape: [n], data: new BigInt64Array(n).map(() => BigInt(Math.floor(rand() * 2 ** 53))) },
  { datatype: 'FP16', shape: [n], data: new Uint16Array(n).map(() => (rand() * 0x7bff) | 0) },
  { datatype: 'BOOL', shape: [n], data: new Uint8Array(n).map(() => (rand() < 0.5 ? 1 : 0)) },
];
console.log(`response encoding, ${n} elements (ms)`);
for (const tensor of tensors) {
  const text = encodeInferResponse({ modelName: 'm', outputs: [{ name: 'y', tensor }] });
  console.log(`  ${tensor.datatype.padEnd(6)} encodeInferResponse ${ms(() =>
    encodeInferResponse({ modelName: 'm', outputs: [{ name: 'y', tensor }] }), 5)} (${(text.length / 1e6).toFixed(1)} MB)`);
}
console.log(`  FP32 alternatives: JSON.stringify(Array.from(a)) ${ms(() => JSON.stringify(Array.from(f32a)), 5)}` +
  `  += loop ${ms(() => { let s = ''; for (let i = 0; i < f32a.length; i++) s += (i ? ',' : '') + f32a[i]; return s; }, 5)}`);
