import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { startGateway, getJson, postJson, SAMPLE_REPOSITORY, type RunningGateway } from './helpers/gateway.ts';

let server: RunningGateway;
before(async () => {
  server = await startGateway({ modelRepository: SAMPLE_REPOSITORY });
});
after(async () => server.close());

interface Expected {
  model: string;
  version: string;
  atol: number;
  rtol: number;
  examples: { description: string; request: unknown; response: { outputs: { name: string; shape: number[]; datatype: string; data: number[] }[] } }[];
}

function expectedFiles(): Expected[] {
  const found: Expected[] = [];
  for (const model of readdirSync(SAMPLE_REPOSITORY)) {
    const dir = path.join(SAMPLE_REPOSITORY, model);
    if (!existsSync(path.join(dir, 'config.yaml'))) continue;
    for (const version of readdirSync(dir)) {
      const file = path.join(dir, version, 'expected.json');
      if (existsSync(file)) found.push(JSON.parse(readFileSync(file, 'utf8')) as Expected);
    }
  }
  return found;
}

test('health: live and ready once the sample repository loaded', async () => {
  assert.equal((await getJson(`${server.url}/v2/health/live`)).status, 200);
  const ready = await getJson(`${server.url}/v2/health/ready`);
  assert.equal(ready.status, 200, JSON.stringify(ready.body));
});

test('server metadata names the server and lists its extensions', async () => {
  const { status, body } = await getJson(`${server.url}/v2`);
  assert.equal(status, 200);
  assert.equal(body.name, 'modelgate');
  assert.match(body.version, /^\d+\.\d+\.\d+/);
  assert.ok(Array.isArray(body.extensions));
});

test('model metadata: platform, versions and shapes with -1 for variable dims', async () => {
  const iris = await getJson(`${server.url}/v2/models/iris`);
  assert.equal(iris.status, 200);
  const { parameters, ...kserve } = iris.body;
  assert.deepEqual(kserve, {
    name: 'iris',
    versions: ['1', '2'],
    platform: 'onnx_onnxv1',
    inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
    outputs: [
      { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
      { name: 'label', datatype: 'INT64', shape: [-1] },
    ],
  });
  // The manifest says exactly what serves: the latest version's files and their hashes.
  assert.equal(parameters.manifest.version, 2);
  assert.deepEqual(parameters.manifest.files.map((f: { path: string }) => f.path).sort(), ['MODEL_CARD.md', 'expected.json', 'model.onnx', 'reference.json', 'training-data.csv']);
  assert.match(parameters.manifest.files.find((f: { path: string }) => f.path === 'model.onnx').sha256, /^[0-9a-f]{64}$/);
  assert.match(parameters.manifest.configSha256, /^[0-9a-f]{64}$/);
  assert.equal(parameters.manifest.runtime, 'onnxruntime');
  assert.match(parameters.model_card, /^# iris v2/);
  const v1 = await getJson(`${server.url}/v2/models/iris/versions/1`);
  assert.deepEqual(v1.body.versions, ['1']);
  assert.equal(v1.body.parameters.manifest.version, 1);
  const ready = await getJson(`${server.url}/v2/models/iris/versions/2/ready`);
  assert.equal(ready.status, 200);
  assert.equal((await getJson(`${server.url}/v2/models/iris/ready`)).status, 200);
});

test('every sample model version reproduces its expected outputs over HTTP', async () => {
  const files = expectedFiles();
  assert.ok(files.length >= 3, 'expected.json files for iris v1, v2 and iris_petal_width');
  for (const expected of files) {
    for (const example of expected.examples) {
      const where = `${expected.model} v${expected.version}: ${example.description}`;
      const { status, body } = await postJson(`${server.url}/v2/models/${expected.model}/versions/${expected.version}/infer`, example.request);
      assert.equal(status, 200, `${where}: ${JSON.stringify(body)}`);
      assert.equal(body.model_name, expected.model);
      assert.equal(body.model_version, expected.version);
      for (const want of example.response.outputs) {
        const got = body.outputs.find((o: { name: string }) => o.name === want.name);
        assert.ok(got, `${where}: output ${want.name}`);
        assert.equal(got.datatype, want.datatype);
        assert.deepEqual(got.shape, want.shape);
        assert.equal(got.data.length, want.data.length);
        want.data.forEach((value, i) => {
          const tolerance = expected.atol + expected.rtol * Math.abs(value);
          assert.ok(Math.abs(got.data[i] - value) <= tolerance, `${where}: ${want.name}[${i}] = ${got.data[i]}, expected ${value}`);
        });
      }
    }
  }
});

test('no version in the URL serves the latest ready version', async () => {
  const request = { inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] };
  const { body } = await postJson(`${server.url}/v2/models/iris/infer`, request);
  assert.equal(body.model_version, '2');
});

test('request id is echoed, outputs selection honoured, nested and flat data agree', async () => {
  const flat = { id: 'req-42', inputs: [{ name: 'input', shape: [2, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3] }], outputs: [{ name: 'label' }] };
  const nested = { ...flat, inputs: [{ ...flat.inputs[0], data: [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]] }] };
  const a = await postJson(`${server.url}/v2/models/iris/versions/1/infer`, flat);
  const b = await postJson(`${server.url}/v2/models/iris/versions/1/infer`, nested);
  assert.equal(a.status, 200);
  assert.equal(a.body.id, 'req-42');
  assert.deepEqual(a.body.outputs, [{ name: 'label', datatype: 'INT64', shape: [2], data: [0, 2] }]);
  assert.deepEqual(b.body, a.body);
});

test('the multi-input model takes its FP32 and INT64 inputs together', async () => {
  const { status, body } = await postJson(`${server.url}/v2/models/iris_petal_width/infer`, {
    inputs: [
      { name: 'numeric', shape: [2, 3], datatype: 'FP32', data: [5.1, 3.5, 1.4, 6.7, 3.0, 5.2] },
      { name: 'species', shape: [2], datatype: 'INT64', data: [0, 2] },
    ],
  });
  assert.equal(status, 200, JSON.stringify(body));
  const [small, large] = body.outputs[0].data as number[];
  assert.ok(small! < 0.6 && large! > 1.5, `petal widths ${small}, ${large}`);
});
