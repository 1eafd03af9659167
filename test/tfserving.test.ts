import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startGateway, postJson, getJson, FIXTURE_REPOSITORY, SAMPLE_REPOSITORY, type RunningGateway } from './helpers/gateway.ts';
import { DATATYPE_CASES } from './helpers/datatype-cases.ts';

/**
 * The TF Serving REST API (/v1/models/...) against real gateways: the fixture repository,
 * and a temporary repository holding a copy of the sample `iris` model (versions 1 and 2)
 * with `version_labels` added to its config.
 */
let fixtures: RunningGateway;
let labelled: RunningGateway;
let tmp: string;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'modelgate-tfserving-'));
  await cp(path.join(SAMPLE_REPOSITORY, 'iris'), path.join(tmp, 'iris'), { recursive: true });
  const config = await readFile(path.join(tmp, 'iris', 'config.yaml'), 'utf8');
  await writeFile(path.join(tmp, 'iris', 'config.yaml'), `${config}\nversion_labels: {stable: 1, canary: 2, retired: 3}\n`);
  [fixtures, labelled] = await Promise.all([
    startGateway({ modelRepository: FIXTURE_REPOSITORY }),
    startGateway({ modelRepository: tmp, maxBodyBytes: 64 * 1024 }),
  ]);
});
after(async () => {
  await Promise.all([fixtures?.close(), labelled?.close()]);
  await rm(tmp, { recursive: true, force: true });
});

/** Asserts a clean client error: status, `{"error"}` naming the expectation, no internals. */
function assertError(result: { status: number; body: any; text?: string }, status: number, message: RegExp): void {
  const text = result.text ?? JSON.stringify(result.body);
  assert.equal(result.status, status, text);
  assert.deepEqual(Object.keys(result.body ?? {}), ['error'], text);
  assert.match(result.body.error, message);
  assert.doesNotMatch(text, /node_modules|\/work\/|\/home\/|\/tmp\/|\.ts:\d+|at [A-Za-z.]+ \(/);
}

/** The rows of a v2 output: its flat `data` cut along the batch dim. */
function v2Rows(output: { shape: number[]; data: unknown[] }): unknown[] {
  const [rows, ...rest] = output.shape;
  const width = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: rows ?? 0 }, (_, i) => (rest.length === 0 ? output.data[i] : output.data.slice(i * width, (i + 1) * width)));
}

test('model status: every version, one version, unknown ones', async () => {
  const addSub = await getJson(`${fixtures.url}/v1/models/add_sub`);
  assert.equal(addSub.status, 200);
  assert.deepEqual(addSub.body, { model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] });
  const versions = await getJson(`${fixtures.url}/v1/models/versions`);
  assert.deepEqual(versions.body.model_version_status.map((s: any) => [s.version, s.state]), [['2', 'AVAILABLE'], ['3', 'AVAILABLE']]);
  const three = await getJson(`${fixtures.url}/v1/models/versions/versions/3`);
  assert.deepEqual(three.body.model_version_status.map((s: any) => s.version), ['3']);
  assertError(await getJson(`${fixtures.url}/v1/models/versions/versions/1`), 404, /model "versions" has no served version "1" \(served: 2, 3\)/);
  assertError(await getJson(`${fixtures.url}/v1/models/nope`), 404, /model "nope" is not in the repository/);
  assertError(await getJson(`${fixtures.url}/v1/models/bad_config`), 404, /model "bad_config" has no served versions \(config\.yaml: max_batch_size/);
});

test('model metadata: serving_default with TF dtypes and dims', async () => {
  const meta = await getJson(`${fixtures.url}/v1/models/add_sub/metadata`);
  assert.equal(meta.status, 200);
  const info = (name: string) => ({
    dtype: 'DT_FLOAT', name, tensor_shape: { dim: [{ size: '-1', name: '' }, { size: '4', name: '' }], unknown_rank: false },
  });
  assert.deepEqual(meta.body, {
    model_spec: { name: 'add_sub', signature_name: '', version: '1' },
    metadata: {
      signature_def: {
        signature_def: {
          serving_default: {
            inputs: { INPUT0: info('INPUT0'), INPUT1: info('INPUT1') },
            outputs: { OUTPUT0: info('OUTPUT0'), OUTPUT1: info('OUTPUT1') },
            method_name: 'tensorflow/serving/predict',
          },
        },
      },
    },
  });
  const bytes = await getJson(`${fixtures.url}/v1/models/identity_bytes/metadata`);
  assert.equal(bytes.body.metadata.signature_def.signature_def.serving_default.inputs.INPUT0.dtype, 'DT_STRING');
  const latest = await getJson(`${fixtures.url}/v1/models/versions/metadata`);
  assert.equal(latest.body.model_spec.version, '3');
  const two = await getJson(`${fixtures.url}/v1/models/versions/versions/2/metadata`);
  assert.equal(two.body.model_spec.version, '2');
  assertError(await getJson(`${fixtures.url}/v1/models/versions/versions/1/metadata`), 404, /version "1"/);
});

test('row format on add_sub (two inputs, two outputs) equals the v2 result', async () => {
  const a = [[1, 2, 3, 4], [0.5, -1, 1e10, 0.1]];
  const b = [[4, 3, 2, 1], [0.25, 1, 1, 0.2]];
  const v2 = await postJson(`${fixtures.url}/v2/models/add_sub/infer`, {
    inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [2, 4], data: a }, { name: 'INPUT1', datatype: 'FP32', shape: [2, 4], data: b }],
  });
  assert.equal(v2.status, 200, v2.text);
  const [sum, diff] = v2.body.outputs;
  const rows = await postJson(`${fixtures.url}/v1/models/add_sub:predict`, { instances: a.map((row, i) => ({ INPUT0: row, INPUT1: b[i] })) });
  assert.equal(rows.status, 200, rows.text);
  assert.match(rows.text, /^\{"predictions":\[\{"OUTPUT0":/);
  assert.deepEqual(rows.body, { predictions: v2Rows(sum).map((s, i) => ({ OUTPUT0: s, OUTPUT1: v2Rows(diff)[i] })) });
});

test('columnar format on add_sub equals the v2 result', async () => {
  const v2 = await postJson(`${fixtures.url}/v2/models/add_sub/infer`, {
    inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }, { name: 'INPUT1', datatype: 'FP32', shape: [1, 4], data: [1, 1, 1, 1] }],
  });
  const columns = await postJson(`${fixtures.url}/v1/models/add_sub/versions/1:predict`, {
    signature_name: 'serving_default',
    inputs: { INPUT0: [[1, 2, 3, 4]], INPUT1: [[1, 1, 1, 1]] },
  });
  assert.equal(columns.status, 200, columns.text);
  assert.deepEqual(columns.body, { outputs: { OUTPUT0: [v2.body.outputs[0].data], OUTPUT1: [v2.body.outputs[1].data] } });
});

test('columnar format on a model without a batch dim; the row format is refused there', async () => {
  const ok = await postJson(`${fixtures.url}/v1/models/fails_at_runtime:predict`, { inputs: { INPUT0: [1, 2, 3, 4], SHAPE: [2, 2] } });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.body, { outputs: [[1, 2], [3, 4]] });
  assertError(await postJson(`${fixtures.url}/v1/models/fails_at_runtime:predict`, { instances: [{ INPUT0: [1], SHAPE: [1, 1] }] }),
    400, /instances: the row format needs a model with a batch dimension \(max_batch_size > 0\)/);
  // A failing run is a 500 in the same {"error"} shape, without internals.
  const failed = await postJson(`${fixtures.url}/v1/models/fails_at_runtime:predict`, { inputs: { INPUT0: [1, 2, 3, 4], SHAPE: [3, 2] } });
  assert.equal(failed.status, 500, failed.text);
  assert.deepEqual(Object.keys(failed.body), ['error']);
});

/** Identity models: the row format answers exactly what the v2 API answers. */
const identities = DATATYPE_CASES;

for (const c of identities) {
  test(`${c.datatype} round-trips through :predict as through v2 infer`, async () => {
    const model = `identity_${c.datatype.toLowerCase()}`;
    const count = (JSON.parse(c.data) as unknown[]).length;
    const v2 = await postJson(`${fixtures.url}/v2/models/${model}/infer`,
      `{"inputs":[{"name":"INPUT0","shape":[2,${count}],"datatype":"${c.datatype}","data":[${c.data},${c.data}]}]}`);
    assert.equal(v2.status, 200, v2.text);
    const v2Data = /"data":\[(.*)\]\}\]\}$/.exec(v2.text)?.[1];
    const rows = await postJson(`${fixtures.url}/v1/models/${model}:predict`, `{"instances":[${c.data},${c.data}]}`);
    assert.equal(rows.status, 200, rows.text);
    const expected = c.expected ?? c.data;
    assert.equal(rows.text, `{"predictions":[${expected},${expected}]}`);
    assert.equal(`${expected.slice(1, -1)},${expected.slice(1, -1)}`, v2Data);
    const columns = await postJson(`${fixtures.url}/v1/models/${model}:predict`, `{"inputs":{"INPUT0":[${c.data}]}}`);
    assert.equal(columns.text, `{"outputs":[${expected}]}`);
  });
}

test('b64 values reach a string model as UTF-8 text', async () => {
  const b64 = (s: string) => ({ b64: Buffer.from(s, 'utf8').toString('base64') });
  const rows = await postJson(`${fixtures.url}/v1/models/identity_bytes:predict`, { instances: [[b64('héllo ✓'), 'plain'], [b64(''), b64('{"json":1}')]] });
  assert.equal(rows.status, 200, rows.text);
  assert.deepEqual(rows.body, { predictions: [['héllo ✓', 'plain'], ['', '{"json":1}']] });
  const columns = await postJson(`${fixtures.url}/v1/models/identity_bytes:predict`, { inputs: [[b64('a'), b64('b')]] });
  assert.deepEqual(columns.body, { outputs: [['a', 'b']] });
  assertError(await postJson(`${fixtures.url}/v1/models/identity_bytes:predict`, { instances: [[{ b64: '/w==' }]] }), 400,
    /instances\[0\]\[0\]\.b64: expected the base64 of UTF-8 text/);
});

test('iris: row and columnar predictions equal v2 for each version, by number and by label', async () => {
  const data = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5]];
  for (const [label, version] of [['stable', 1], ['canary', 2]] as const) {
    const v2 = await postJson(`${labelled.url}/v2/models/iris/versions/${version}/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [3, 4], data }] });
    assert.equal(v2.status, 200, v2.text);
    const byName = Object.fromEntries(v2.body.outputs.map((o: any) => [o.name, o]));
    const probabilities = v2Rows(byName.probabilities);
    const labels = v2Rows(byName.label);
    const expectedRows = { predictions: probabilities.map((p, i) => ({ probabilities: p, label: labels[i] })) };
    const expectedColumns = { outputs: { probabilities, label: labels } };
    for (const selector of [`/versions/${version}`, `/labels/${label}`]) {
      const rows = await postJson(`${labelled.url}/v1/models/iris${selector}:predict`, { instances: data });
      assert.equal(rows.status, 200, rows.text);
      assert.deepEqual(rows.body, expectedRows);
      const columns = await postJson(`${labelled.url}/v1/models/iris${selector}:predict`, { inputs: { input: data } });
      assert.deepEqual(columns.body, expectedColumns);
    }
    const status = await getJson(`${labelled.url}/v1/models/iris/labels/${label}`);
    assert.deepEqual(status.body.model_version_status.map((s: any) => s.version), [String(version)]);
    const meta = await getJson(`${labelled.url}/v1/models/iris/labels/${label}/metadata`);
    assert.equal(meta.body.model_spec.version, String(version));
  }
  // No version: the latest ready one (2).
  const latest = await postJson(`${labelled.url}/v1/models/iris:predict`, { instances: data });
  const canary = await postJson(`${labelled.url}/v1/models/iris/labels/canary:predict`, { instances: data });
  assert.deepEqual(latest.body, canary.body);
});

test('labels: unknown, or naming a version that is not served, are 404 with the reason', async () => {
  const instances = [[5.1, 3.5, 1.4, 0.2]];
  assertError(await postJson(`${labelled.url}/v1/models/iris/labels/beta:predict`, { instances }), 404,
    /model "iris" has no version label "beta" \(labels: stable, canary, retired\)/);
  assertError(await postJson(`${labelled.url}/v1/models/iris/labels/retired:predict`, { instances }), 404,
    /model "iris" label "retired" names version 3, which is not served \(served: 1, 2\)/);
  assertError(await getJson(`${labelled.url}/v1/models/iris/labels/retired`), 404, /names version 3/);
  assertError(await getJson(`${labelled.url}/v1/models/iris/labels/beta/metadata`), 404, /no version label "beta"/);
  assertError(await getJson(`${fixtures.url}/v1/models/add_sub/labels/stable`), 404, /no version label "stable" \(its config\.yaml defines no version_labels\)/);
});

const iris = () => `${labelled.url}/v1/models/iris:predict`;
const row = [5.1, 3.5, 1.4, 0.2];
const errorCases: { name: string; url?: () => string; body: unknown; status: number; message: RegExp }[] = [
  { name: 'malformed JSON', body: '{"instances": [', status: 400, message: /malformed JSON/ },
  { name: 'not an object', body: '[1,2]', status: 400, message: /request body: expected a JSON object/ },
  { name: 'neither instances nor inputs', body: {}, status: 400, message: /"instances" \(row format\) or "inputs" \(columnar format\)/ },
  { name: 'both instances and inputs', body: { instances: [row], inputs: [row] }, status: 400, message: /not both/ },
  { name: 'a short instance', body: { instances: [row, row, row, [1, 2, 3]] }, status: 400, message: /^instances\[3\]: expected 4 values for input "input" \[-1, 4\], got 3$/ },
  { name: 'a non-number', body: { instances: [[1, 2, null, 4]] }, status: 400, message: /^instances\[0\]\[2\]: expected a number for FP32, got null$/ },
  { name: 'too many instances', body: { instances: new Array(65).fill(row) }, status: 400, message: /at most 64 instances \(max_batch_size\)/ },
  { name: 'unknown input name', body: { inputs: { inptu: [row] } }, status: 400, message: /inputs: unknown input "inptu" \(expected "input"\)/ },
  { name: 'unknown signature', body: { signature_name: 'classify', instances: [row] }, status: 400, message: /signature_name: expected "serving_default"/ },
  { name: 'nesting too deep', body: `{"instances":${'['.repeat(5000)}${']'.repeat(5000)}}`, status: 400, message: /deep|nest/i },
  { name: 'body over the limit', body: JSON.stringify({ instances: new Array(5000).fill(row) }), status: 413, message: /at most 65536 bytes/ },
  { name: 'unknown model', url: () => `${labelled.url}/v1/models/nope:predict`, body: { instances: [row] }, status: 404, message: /model "nope" is not in the repository/ },
  { name: 'unknown version', url: () => `${labelled.url}/v1/models/iris/versions/7:predict`, body: { instances: [row] }, status: 404, message: /model "iris" has no served version "7" \(served: 1, 2\)/ },
  { name: 'unsupported verb', url: () => `${labelled.url}/v1/models/iris:classify`, body: { examples: [] }, status: 404, message: /":classify" is not supported/ },
  { name: 'POST to model status', url: () => `${labelled.url}/v1/models/iris`, body: {}, status: 405, message: /model status expects GET/ },
  { name: 'path outside the grammar', url: () => `${labelled.url}/v1/models/iris/versions:predict`, body: {}, status: 404, message: /no route for POST/ },
];

for (const c of errorCases) {
  test(`error: ${c.name}`, async () => {
    assertError(await postJson((c.url ?? iris)(), c.body), c.status, c.message);
  });
}

test('GET on :predict is 405', async () => {
  assertError(await getJson(`${labelled.url}/v1/models/iris:predict`), 405, /":predict" expects POST, got GET/);
});

test('predict requests are counted like v2 inference (metrics, statistics, request log, x-modelgate-version); the server keeps serving after errors', async () => {
  const metric = async (): Promise<Record<string, number>> => {
    const text = await (await fetch(`${labelled.url}/metrics`)).text();
    const counts: Record<string, number> = {};
    for (const m of text.matchAll(/^modelgate_inference_requests_total\{([^}]*)\} (\d+)/gm)) {
      const labels = m[1] ?? '';
      if (labels.includes('model="iris"') && labels.includes('version="2"')) counts[/outcome="(\w+)"/.exec(labels)?.[1] ?? ''] = Number(m[2]);
    }
    return counts;
  };
  const version = labelled.gateway.registry.find('iris', '2');
  const statsBefore = version.statistics.success.count;
  const logBefore = version.requestLog.since(0).requests;
  const before = await metric();
  for (const c of errorCases) await postJson((c.url ?? iris)(), c.body);
  const response = await fetch(iris(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [row] }) });
  assert.equal(response.status, 200, await response.text());
  assert.equal(response.headers.get('x-modelgate-version'), '2');
  const after = await metric();
  assert.equal((after.success ?? 0) - (before.success ?? 0), 1);
  // The same accounting as v2: Triton statistics and the request log rollouts compare over.
  assert.equal(version.statistics.success.count - statsBefore, 1);
  assert.ok(version.requestLog.since(0).requests - logBefore >= 9, 'the successful and the resolved failing requests are logged');
  // Errors after the version resolved (bad body, bad values) count as client errors; 404s and 413s too when resolved.
  assert.ok((after.client_error ?? 0) - (before.client_error ?? 0) >= 8, JSON.stringify({ before, after }));
});
