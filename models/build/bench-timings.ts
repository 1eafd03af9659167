/**
 * Measures the benchmark models (bench/models/) directly with onnxruntime-node, one
 * intra-op thread, and prints the Markdown table kept in bench/models/README.md:
 *
 *   node --import tsx models/build/bench-timings.ts [rounds]
 *
 * Each round times every batch size in turn (median of its runs); the table shows the
 * median over rounds, so a busy moment on a shared machine moves one round, not the table.
 * Not part of `npm run build:models` (the timings vary from run to run; the files do not).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { SESSION_OPTIONS } from './expected.ts';
import { IMAGE_SIZE, MLP_FEATURES, timeBatches } from './bench-models.ts';

const benchModels = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'bench/models');
const rounds = Number(process.argv[2] ?? 5);

const cases = [
  { model: 'mlp_heavy', input: 'input', rowShape: [MLP_FEATURES], batches: [1, 8, 32, 64] },
  { model: 'image_large', input: 'image', rowShape: [3, IMAGE_SIZE, IMAGE_SIZE], batches: [1, 8] },
];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

console.log('| model | batch | ms per run | rows/s | µs per row | rows/s vs batch 1 |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const c of cases) {
  const session = await ort.InferenceSession.create(await readFile(join(benchModels, c.model, '1', 'model.onnx')), SESSION_OPTIONS);
  const perBatch = new Map<number, number[]>(c.batches.map((b) => [b, []]));
  for (let r = 0; r < rounds; r++) {
    for (const { batch, ms } of await timeBatches(session, c.input, c.rowShape, c.batches, 400)) perBatch.get(batch)!.push(ms);
  }
  await session.release();
  let base = 0;
  for (const batch of c.batches) {
    const ms = median(perBatch.get(batch)!);
    const rowsPerS = (batch * 1000) / ms;
    if (batch === c.batches[0]) base = rowsPerS;
    console.log(
      `| \`${c.model}\` | ${batch} | ${ms.toFixed(3)} | ${Math.round(rowsPerS).toLocaleString('en-US')} | ${((ms * 1000) / batch).toFixed(1)} | ${(rowsPerS / base).toFixed(1)}× |`,
    );
  }
}
