/**
 * The committed model repositories (models/, test/fixtures/models/, bench/models/) checked directly
 * with onnxruntime-node, without the gateway: every model loads, matches its
 * config.yaml, reproduces expected.json, the trained models are accurate, fixtures
 * behave as their configs say, and the seeded build reproduces the committed bytes.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { parse } from 'yaml';
import { DATATYPES, type DataType } from '../runtimes/tensor.ts';
import { REPOSITORIES } from '../models/build/catalog.ts';
import { runJson, SESSION_OPTIONS, type ExpectedFile } from '../models/build/expected.ts';
import { ORT_TYPE, type JsonTensor } from '../models/build/kserve-json.ts';
import { staticFiles } from '../models/build/repository.ts';
import { profileTrainingData, TRAINING_DATA } from '../models/build/reference-profiles.ts';
import { parseReferenceProfile, type FeatureProfile, type ReferenceProfile } from '../gateway/monitoring/drift/reference-profile.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const MODELS = join(ROOT, 'models');
const FIXTURES = join(ROOT, 'test/fixtures/models');
const BENCH = join(ROOT, 'bench/models');

const sessions: ort.InferenceSession[] = [];
after(async () => {
  for (const s of sessions) await s.release();
});

async function load(path: string, options: ort.InferenceSession.SessionOptions = {}): Promise<ort.InferenceSession> {
  const session = await ort.InferenceSession.create(readFileSync(path), { ...SESSION_OPTIONS, ...options });
  sessions.push(session);
  return session;
}

/** Model dirs of a repository (skipping models/build/ and plain files). */
function modelNames(root: string): string[] {
  return readdirSync(root).filter((n) => n !== 'build' && statSync(join(root, n)).isDirectory()).sort();
}

function versionDirs(root: string, model: string): string[] {
  return readdirSync(join(root, model)).filter((d) => existsSync(join(root, model, d, 'model.onnx'))).sort();
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => statSync(join(dir, p)).isFile());
}

function csvRows(path: string): { header: string[]; rows: number[][] } {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  return { header: head!.split(','), rows: lines.map((l) => l.split(',').map(Number)) };
}

function assertClose(actual: JsonTensor, expected: JsonTensor, atol: number, rtol: number): void {
  assert.equal(actual.name, expected.name);
  assert.equal(actual.datatype, expected.datatype);
  assert.deepEqual(actual.shape, expected.shape);
  if (actual.datatype !== 'FP32' && actual.datatype !== 'FP64') {
    assert.deepEqual(actual.data, expected.data);
    return;
  }
  assert.equal(actual.data.length, expected.data.length);
  actual.data.forEach((a, i) => {
    const e = expected.data[i] as number;
    assert.ok(Math.abs((a as number) - e) <= atol + rtol * Math.abs(e), `${actual.name}[${i}]: ${a} vs ${e}`);
  });
}

describe('build determinism', () => {
  for (const repo of REPOSITORIES) {
    test(`rebuilding ${repo.root} in memory gives the committed bytes and no stale files`, async () => {
      const root = join(ROOT, repo.root);
      for (const model of await repo.build()) {
        const files = staticFiles(model);
        for (const [path, content] of files) {
          const want = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
          assert.ok(readFileSync(join(root, path)).equals(want), `${repo.root}/${path} differs from a rebuild`);
        }
        const onDisk = filesUnder(join(root, model.name)).map((p) => join(model.name, p));
        // expected.json and reference.json hold ORT results: compared semantically below.
        const extra = onDisk.filter((p) => !files.has(p) && !p.endsWith('expected.json') && !p.endsWith('reference.json'));
        assert.deepEqual(extra, [], `stale files in ${repo.root}/${model.name}`);
      }
    });
  }
});

describe('config.yaml agrees with model.onnx', () => {
  const cases = [MODELS, FIXTURES, BENCH].flatMap((root) => modelNames(root).map((m) => [root, m] as const))
    // Only ONNX models here; test/tfjs-models.test.ts checks the TensorFlow.js ones.
    .filter(([root, m]) => existsSync(join(root, m, 'config.yaml')) && m !== 'bad_config' && versionDirs(root, m).length > 0);
  for (const [root, model] of cases) {
    test(`${relative(ROOT, root)}/${model}`, async () => {
      const config = parse(readFileSync(join(root, model, 'config.yaml'), 'utf8'));
      assert.equal(config.name, model);
      assert.equal(config.platform, 'onnxruntime_onnx');
      const batched = config.max_batch_size > 0;
      for (const dir of versionDirs(root, model)) {
        const session = await load(join(root, model, dir, 'model.onnx'));
        for (const [declared, actual] of [[config.input, session.inputMetadata], [config.output, session.outputMetadata]] as const) {
          assert.deepEqual(declared.map((t: { name: string }) => t.name), actual.map((m) => m.name));
          declared.forEach((t: { datatype: DataType; dims: number[] }, i: number) => {
            const meta = actual[i]!;
            assert.ok(meta.isTensor);
            assert.equal(meta.type, ORT_TYPE[t.datatype]);
            const dims = meta.shape.map((d) => (typeof d === 'string' ? -1 : d));
            assert.deepEqual(dims, batched ? [-1, ...t.dims] : t.dims, `${model}/${dir} ${meta.name} dims`);
          });
        }
      }
    });
  }
});

describe('sample models', () => {
  for (const model of modelNames(MODELS)) {
    for (const dir of versionDirs(MODELS, model)) {
      test(`${model}/${dir} reproduces expected.json`, async () => {
        const expected = JSON.parse(readFileSync(join(MODELS, model, dir, 'expected.json'), 'utf8')) as ExpectedFile;
        assert.ok(expected.examples.length > 0);
        const session = await load(join(MODELS, model, dir, 'model.onnx'));
        for (const ex of expected.examples) {
          const outputs = await runJson(session, ex.request.inputs);
          assert.equal(outputs.length, ex.response.outputs.length);
          outputs.forEach((o, i) => assertClose(o, ex.response.outputs[i]!, expected.atol, expected.rtol));
        }
      });
    }
  }

  for (const dir of versionDirs(MODELS, 'iris')) {
    test(`iris/${dir} classifies its training data with accuracy >= 0.9`, async () => {
      const { header, rows } = csvRows(join(MODELS, 'iris', dir, 'training-data.csv'));
      assert.deepEqual(header, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'label']);
      const session = await load(join(MODELS, 'iris', dir, 'model.onnx'));
      const input = new ort.Tensor('float32', Float32Array.from(rows.flatMap((r) => r.slice(0, 4))), [rows.length, 4]);
      const out = await session.run({ input });
      const labels = out['label']!.data as BigInt64Array;
      const probs = out['probabilities']!.data as Float32Array;
      const correct = rows.filter((r, i) => Number(labels[i]) === r[4]).length;
      assert.ok(correct / rows.length >= 0.9, `accuracy ${correct / rows.length}`);
      for (let i = 0; i < rows.length; i++) {
        const sum = probs[3 * i]! + probs[3 * i + 1]! + probs[3 * i + 2]!;
        assert.ok(Math.abs(sum - 1) < 1e-5, `row ${i} probabilities sum to ${sum}`);
      }
    });
  }

  test('iris_petal_width fits its training data (R² >= 0.9) and rejects unknown species', async () => {
    const { rows } = csvRows(join(MODELS, 'iris_petal_width', '1', 'training-data.csv'));
    const session = await load(join(MODELS, 'iris_petal_width', '1', 'model.onnx'), { logSeverityLevel: 4 });
    const numeric = new ort.Tensor('float32', Float32Array.from(rows.flatMap((r) => r.slice(0, 3))), [rows.length, 3]);
    const species = new ort.Tensor('int64', BigInt64Array.from(rows, (r) => BigInt(r[3]!)), [rows.length]);
    const pred = (await session.run({ numeric, species }))['petal_width']!.data as Float32Array;
    const y = rows.map((r) => r[4]!);
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const sse = y.reduce((s, v, i) => s + (pred[i]! - v) ** 2, 0);
    const sst = y.reduce((s, v) => s + (v - mean) ** 2, 0);
    assert.ok(1 - sse / sst >= 0.9, `R² ${1 - sse / sst}`);
    const bad = new ort.Tensor('int64', new BigInt64Array([3n]), [1]);
    await assert.rejects(session.run({ numeric: new ort.Tensor('float32', new Float32Array(3), [1, 3]), species: bad }));
  });
});

describe('fixtures', () => {
  /** Edge values per datatype, as the typed storage ORT takes. */
  const samples: Record<DataType, ort.Tensor['data']> = {
    BOOL: new Uint8Array([1, 0, 0, 1, 1, 0]),
    UINT8: new Uint8Array([0, 1, 127, 128, 254, 255]),
    UINT16: new Uint16Array([0, 1, 2, 32768, 65534, 65535]),
    UINT32: new Uint32Array([0, 1, 2, 2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1]),
    UINT64: new BigUint64Array([0n, 1n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 2n, 2n ** 64n - 1n]),
    INT8: new Int8Array([-128, -1, 0, 1, 126, 127]),
    INT16: new Int16Array([-32768, -1, 0, 1, 32766, 32767]),
    INT32: new Int32Array([-(2 ** 31), -1, 0, 1, 2 ** 31 - 2, 2 ** 31 - 1]),
    INT64: new BigInt64Array([-(2n ** 63n), -(2n ** 53n) - 1n, -1n, 0n, 2n ** 53n + 1n, 2n ** 63n - 1n]),
    FP16: new Uint16Array([0x0000, 0x8000, 0x3c00, 0xc000, 0x7bff, 0x0001]), // 0, -0, 1, -2, max, min subnormal
    FP32: new Float32Array([0, -0, 1.5, -3.4028234663852886e38, 1e-45, Infinity]),
    FP64: new Float64Array([0, -0, Math.PI, -Number.MAX_VALUE, Number.MIN_VALUE, -Infinity]),
    BYTES: ['', 'a', 'héllo wörld', '日本語', 'line\nbreak', 'x'.repeat(1000)],
  };

  for (const datatype of DATATYPES) {
    test(`identity_${datatype.toLowerCase()} round-trips ${datatype}`, async () => {
      const session = await load(join(FIXTURES, `identity_${datatype.toLowerCase()}`, '1', 'model.onnx'));
      const data = samples[datatype];
      for (const shape of [[2, 3], [1, 6], [3, 0]]) {
        const count = shape[0]! * shape[1]!;
        const slice = Array.isArray(data) ? data.slice(0, count) : data.slice(0, count);
        const out = (await session.run({ INPUT0: new ort.Tensor(ORT_TYPE[datatype], slice, shape) }))['OUTPUT0']!;
        assert.equal(out.type, ORT_TYPE[datatype]);
        assert.deepEqual(out.dims, shape);
        assert.deepEqual(Array.from(out.data as ArrayLike<unknown>), Array.from(slice as ArrayLike<unknown>));
      }
    });
  }

  test('add_sub computes the sum and the difference, and runs only the requested output', async () => {
    const session = await load(join(FIXTURES, 'add_sub', '1', 'model.onnx'));
    const a = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), [2, 4]);
    const b = new ort.Tensor('float32', Float32Array.from([8, 7, 6, 5, 4, 3, 2, 1]), [2, 4]);
    const out = await session.run({ INPUT0: a, INPUT1: b });
    assert.deepEqual(Array.from(out['OUTPUT0']!.data as Float32Array), [9, 9, 9, 9, 9, 9, 9, 9]);
    assert.deepEqual(Array.from(out['OUTPUT1']!.data as Float32Array), [-7, -5, -3, -1, 1, 3, 5, 7]);
    const only = await session.run({ INPUT0: a, INPUT1: b }, ['OUTPUT1']);
    assert.deepEqual(Object.keys(only), ['OUTPUT1']);
  });

  test('fails_at_runtime succeeds for fitting shapes and fails inside ORT otherwise', async () => {
    // Severity 4 (fatal only): the failures below are expected, keep ORT's error log quiet.
    const session = await load(join(FIXTURES, 'fails_at_runtime', '1', 'model.onnx'), { logSeverityLevel: 4 });
    const input = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [4]);
    const run = (shape: bigint[]) => session.run({ INPUT0: input, SHAPE: new ort.Tensor('int64', BigInt64Array.from(shape), [2]) });
    for (const [shape, dims] of [[[2n, 2n], [2, 2]], [[1n, 4n], [1, 4]], [[4n, 1n], [4, 1]], [[-1n, 2n], [2, 2]]] as const) {
      const out = (await run([...shape]))['OUTPUT0']!;
      assert.deepEqual(out.dims, dims);
      assert.deepEqual(Array.from(out.data as Float32Array), [1, 2, 3, 4]);
    }
    for (const shape of [[3n, 2n], [2n, 3n], [-1n, 3n], [-1n, -1n], [0n, 4n]]) {
      await assert.rejects(run(shape), `SHAPE [${shape}] should fail`);
    }
  });

  test('versions: dir N adds N; 0/ and latest/ exist as decoys', async () => {
    assert.deepEqual(versionDirs(FIXTURES, 'versions'), ['0', '1', '2', '3', 'latest']);
    for (const [dir, offset] of [['0', 0], ['1', 1], ['2', 2], ['3', 3], ['latest', 1000]] as const) {
      const session = await load(join(FIXTURES, 'versions', dir, 'model.onnx'));
      const out = await session.run({ INPUT0: new ort.Tensor('float32', Float32Array.from([10, 20]), [1, 2]) });
      assert.deepEqual(Array.from(out['OUTPUT0']!.data as Float32Array), [10 + offset, 20 + offset]);
    }
  });

  test('no_config has no config.yaml; bad_config has an invalid max_batch_size; both models load', async () => {
    assert.equal(existsSync(join(FIXTURES, 'no_config', 'config.yaml')), false);
    assert.equal(typeof parse(readFileSync(join(FIXTURES, 'bad_config', 'config.yaml'), 'utf8')).max_batch_size, 'string');
    for (const model of ['no_config', 'bad_config']) {
      const session = await load(join(FIXTURES, model, '1', 'model.onnx'));
      const out = await session.run({ INPUT0: new ort.Tensor('float32', Float32Array.from([1, 2, 3]), [1, 3]) });
      assert.deepEqual(Array.from(out['OUTPUT0']!.data as Float32Array), [2, 4, 6]);
    }
  });

  test('slow runs one row and returns [1, 4]', async () => {
    const session = await load(join(FIXTURES, 'slow', '1', 'model.onnx'));
    const start = performance.now();
    const out = (await session.run({ INPUT0: new ort.Tensor('float32', new Float32Array(16).fill(1), [1, 16]) }))['OUTPUT0']!;
    const ms = performance.now() - start;
    assert.deepEqual(out.dims, [1, 4]);
    assert.ok((out.data as Float32Array).every(Number.isFinite));
    assert.ok(ms > 10, `slow took only ${ms.toFixed(1)} ms`); // a loose floor: it must stay slow enough to observe
  });
});

describe('benchmark models', () => {
  for (const model of modelNames(BENCH)) {
    for (const dir of versionDirs(BENCH, model)) {
      test(`${model}/${dir} reproduces expected.json`, async () => {
        const expected = JSON.parse(readFileSync(join(BENCH, model, dir, 'expected.json'), 'utf8')) as ExpectedFile;
        assert.equal(expected.model, model);
        assert.ok(expected.examples.length > 0);
        const session = await load(join(BENCH, model, dir, 'model.onnx'));
        for (const ex of expected.examples) {
          const outputs = await runJson(session, ex.request.inputs);
          assert.equal(outputs.length, ex.response.outputs.length);
          outputs.forEach((o, i) => assertClose(o, ex.response.outputs[i]!, expected.atol, expected.rtol));
        }
      });
    }
  }

  test('mlp_heavy and mlp_heavy_nobatch share model.onnx and differ only in dynamic_batching', () => {
    assert.ok(readFileSync(join(BENCH, 'mlp_heavy/1/model.onnx')).equals(readFileSync(join(BENCH, 'mlp_heavy_nobatch/1/model.onnx'))));
    const batched = parse(readFileSync(join(BENCH, 'mlp_heavy/config.yaml'), 'utf8'));
    const unbatched = parse(readFileSync(join(BENCH, 'mlp_heavy_nobatch/config.yaml'), 'utf8'));
    assert.ok(batched.dynamic_batching !== undefined);
    assert.equal(unbatched.dynamic_batching, undefined);
    const { dynamic_batching: _, name: batchedName, ...rest } = batched;
    assert.equal(batchedName, 'mlp_heavy');
    assert.deepEqual({ ...rest, name: unbatched.name }, unbatched);
  });

  test('a batch gives the same rows as running them one by one (mlp_heavy, image_large)', async () => {
    const cases = [['mlp_heavy', 'input', [256]], ['image_large', 'image', [3, 224, 224]]] as const;
    for (const [model, input, rowShape] of cases) {
      const session = await load(join(BENCH, model, '1', 'model.onnx'));
      const rowSize = rowShape.reduce((a, b) => a * b, 1);
      const batch = 4;
      const data = Float32Array.from({ length: batch * rowSize }, (_, i) => Math.sin(i * 0.61) * 2);
      const outName = session.outputNames[0]!;
      const all = (await session.run({ [input]: new ort.Tensor('float32', data, [batch, ...rowShape]) }))[outName]!;
      const width = all.dims[1]!;
      assert.deepEqual(all.dims, [batch, width]);
      for (let r = 0; r < batch; r++) {
        const row = data.slice(r * rowSize, (r + 1) * rowSize);
        const one = (await session.run({ [input]: new ort.Tensor('float32', row, [1, ...rowShape]) }))[outName]!.data as Float32Array;
        const got = (all.data as Float32Array).slice(r * width, (r + 1) * width);
        one.forEach((v, i) => assert.ok(Number.isFinite(v) && Math.abs(got[i]! - v) <= 1e-5 + 1e-4 * Math.abs(v), `${model} row ${r}[${i}]: ${got[i]} vs ${v}`));
      }
    }
  });
});

/**
 * reference.json of the sample models: made from training-data.csv by `modelgate profile`'s
 * code during the build. Input features depend only on the CSV and must match exactly; a
 * categorical output (class shares) too. A float output's bins come from ORT results, whose
 * last bits may differ on another CPU: compared with expected.json's tolerance.
 */
describe('reference profiles', () => {
  const ATOL = 1e-5;
  const RTOL = 1e-4;

  function assertNumbersClose(actual: readonly number[], expected: readonly number[], atol: number, what: string): void {
    assert.equal(actual.length, expected.length, `${what}: length`);
    actual.forEach((a, i) => {
      const e = expected[i] as number;
      assert.ok(Math.abs(a - e) <= atol + RTOL * Math.abs(e), `${what}[${i}]: ${a} vs ${e}`);
    });
  }

  function assertFeatureClose(actual: FeatureProfile, expected: FeatureProfile, sampleSize: number): void {
    if (actual.kind === 'categorical' || expected.kind === 'categorical') {
      assert.deepEqual(actual, expected);
      return;
    }
    const { min, max, mean, std, edges, shares, centers, ...exact } = actual;
    const { min: eMin, max: eMax, mean: eMean, std: eStd, edges: eEdges, shares: eShares, centers: eCenters, ...eExact } = expected;
    assert.deepEqual(exact, eExact);
    assertNumbersClose([min, max, mean, std], [eMin, eMax, eMean, eStd], ATOL, `${actual.name} min/max/mean/std`);
    assertNumbersClose(edges, eEdges, ATOL, `${actual.name}.edges`);
    assertNumbersClose(centers ?? [], eCenters ?? [], ATOL, `${actual.name}.centers`);
    // A value within a few ulps of an edge may change bins: allow one row per bin.
    assertNumbersClose(shares, eShares, 1 / sampleSize + 1e-12, `${actual.name}.shares`);
  }

  for (const model of modelNames(MODELS)) {
    for (const dir of versionDirs(MODELS, model)) {
      if (!existsSync(join(MODELS, model, dir, TRAINING_DATA))) continue;
      test(`${model}/${dir}/reference.json is valid and reproduced from ${TRAINING_DATA}`, async () => {
        const path = join(MODELS, model, dir, 'reference.json');
        assert.ok(existsSync(path), `${model}/${dir} has training data but no reference.json (run npm run build:models)`);
        const committed: ReferenceProfile = parseReferenceProfile(JSON.parse(readFileSync(path, 'utf8')), path);
        const { profile } = await profileTrainingData(MODELS, model, dir);
        assert.equal(profile.sampleSize, committed.sampleSize);
        assert.deepEqual(profile.features, committed.features, 'input features are a pure function of the CSV');
        assert.deepEqual(profile.outputs.map((f) => [f.name, f.kind, f.source]), committed.outputs.map((f) => [f.name, f.kind, f.source]));
        profile.outputs.forEach((f, i) => assertFeatureClose(f, committed.outputs[i]!, profile.sampleSize));
      });
    }
  }
});
