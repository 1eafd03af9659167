import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, postJson, FIXTURE_REPOSITORY, type RunningGateway } from './helpers/gateway.ts';
import { binaryRequest, parseBinaryResponse, tensorBytes } from './helpers/binary-client.ts';

let server: RunningGateway;
before(async () => {
  server = await startGateway({ modelRepository: FIXTURE_REPOSITORY });
});
after(async () => server.close());

async function postBinary(url: string, body: Buffer, headerLength: number | string): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(headerLength) },
    body: new Uint8Array(body),
  });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

/** Values per datatype, as JSON would carry them and as the binary layout stores them. */
const cases: { datatype: string; json: unknown[]; raw?: unknown[] }[] = [
  { datatype: 'BOOL', json: [true, false, true, true] },
  { datatype: 'UINT8', json: [0, 7, 200, 255] },
  { datatype: 'UINT16', json: [0, 1, 40000, 65535] },
  { datatype: 'UINT32', json: [0, 1, 3000000000, 4294967295] },
  { datatype: 'UINT64', json: ['0', '1', '9007199254740993', '18446744073709551615'], raw: [0n, 1n, 9007199254740993n, 18446744073709551615n] },
  { datatype: 'INT8', json: [-128, -1, 0, 127] },
  { datatype: 'INT16', json: [-32768, -1, 0, 32767] },
  { datatype: 'INT32', json: [-2147483648, -1, 0, 2147483647] },
  { datatype: 'INT64', json: ['-9223372036854775808', '-1', '9007199254740993', '9223372036854775807'], raw: [-9223372036854775808n, -1n, 9007199254740993n, 9223372036854775807n] },
  { datatype: 'FP16', json: [65504, -0.5, 0.00006103515625, 0], raw: [0x7bff, 0xb800, 0x0400, 0] },
  { datatype: 'FP32', json: [0.5, -2.25, 1e-20, 3.4028234663852886e38] },
  { datatype: 'FP64', json: [0.1, -5e-324, 1.7976931348623157e308, 0] },
  { datatype: 'BYTES', json: ['hello', '', 'ünï ✓', 'x'] },
];

for (const c of cases) {
  test(`${c.datatype}: binary in and out equals JSON in and out`, async () => {
    const url = `${server.url}/v2/models/identity_${c.datatype.toLowerCase()}/infer`;
    const shape = [2, 2];
    const jsonData = c.datatype.endsWith('INT64') ? `[${(c.json as string[]).join(',')}]` : JSON.stringify(c.json);
    const viaJson = await postJson(url, `{"inputs":[{"name":"INPUT0","shape":[2,2],"datatype":"${c.datatype}","data":${jsonData}}]}`);
    assert.equal(viaJson.status, 200, viaJson.text);
    const bytes = tensorBytes(c.datatype, c.raw ?? c.json);
    const { body, headerLength } = binaryRequest({
      inputs: [{ name: 'INPUT0', shape, datatype: c.datatype, bytes }],
      outputs: [{ name: 'OUTPUT0', parameters: { binary_data: true } }],
    });
    const viaBinary = await postBinary(url, body, headerLength);
    assert.equal(viaBinary.status, 200, viaBinary.body.toString());
    const length = Number(viaBinary.headers.get('inference-header-content-length'));
    const { header, outputs } = parseBinaryResponse(viaBinary.body, length);
    assert.deepEqual(header.outputs[0].shape, shape);
    assert.equal(header.outputs[0].datatype, c.datatype);
    assert.equal(header.outputs[0].data, undefined);
    assert.deepEqual(outputs.OUTPUT0, bytes, 'binary output bytes equal the binary input bytes');
    // JSON output of a binary request equals the JSON request's output.
    const mixed = binaryRequest({ inputs: [{ name: 'INPUT0', shape, datatype: c.datatype, bytes }] });
    const jsonOut = await postBinary(url, mixed.body, mixed.headerLength);
    assert.equal(jsonOut.headers.get('content-type')?.startsWith('application/json'), true);
    assert.equal(jsonOut.body.toString(), viaJson.text);
  });
}

test('binary_data_output returns every output as binary; JSON inputs mix with binary ones', async () => {
  const url = `${server.url}/v2/models/add_sub/infer`;
  const { body, headerLength } = binaryRequest({
    inputs: [
      { name: 'INPUT0', shape: [1, 4], datatype: 'FP32', bytes: tensorBytes('FP32', [1, 2, 3, 4]) },
      { name: 'INPUT1', shape: [1, 4], datatype: 'FP32', data: [1, 1, 1, 1] },
    ],
    parameters: { binary_data_output: true },
  });
  const response = await postBinary(url, body, headerLength);
  assert.equal(response.status, 200);
  const { outputs } = parseBinaryResponse(response.body, Number(response.headers.get('inference-header-content-length')));
  assert.deepEqual([...new Float32Array(new Uint8Array(outputs.OUTPUT0!).buffer)], [2, 3, 4, 5]);
  assert.deepEqual([...new Float32Array(new Uint8Array(outputs.OUTPUT1!).buffer)], [0, 1, 2, 3]);
});

test('malformed binary bodies are 400s that say what does not add up', async () => {
  const url = `${server.url}/v2/models/identity_fp32/infer`;
  const good = binaryRequest({ inputs: [{ name: 'INPUT0', shape: [1, 4], datatype: 'FP32', bytes: tensorBytes('FP32', [1, 2, 3, 4]) }] });
  const expectations: [Buffer, number | string, RegExp][] = [
    [good.body, good.body.length + 10, /Inference-Header-Content-Length/],
    [good.body, 'abc', /Inference-Header-Content-Length/],
    [good.body.subarray(0, good.body.length - 3), good.headerLength, /INPUT0|bytes/],
    [Buffer.concat([good.body, Buffer.alloc(8)]), good.headerLength, /no input claims|left over|bytes/],
    [good.body, good.headerLength - 5, /JSON/],
  ];
  for (const [body, length, message] of expectations) {
    const response = await postBinary(url, body, length);
    assert.equal(response.status, 400, `${length}: ${response.body.toString()}`);
    assert.match(JSON.parse(response.body.toString()).error, message);
  }
  const wrongSize = binaryRequest({ inputs: [{ name: 'INPUT0', shape: [1, 4], datatype: 'FP32', bytes: tensorBytes('FP32', [1, 2, 3]) }] });
  const response = await postBinary(url, wrongSize.body, wrongSize.headerLength);
  assert.equal(response.status, 400);
  assert.match(JSON.parse(response.body.toString()).error, /binary_data_size/);
  const ok = await postBinary(url, good.body, good.headerLength);
  assert.equal(ok.status, 200);
});

test('server metadata advertises the binary tensor extension', async () => {
  const response = await fetch(`${server.url}/v2`);
  assert.ok(((await response.json()) as { extensions: string[] }).extensions.includes('binary_tensor_data'));
});
