import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, postJson, FIXTURE_REPOSITORY, type RunningGateway } from './helpers/gateway.ts';

let server: RunningGateway;
before(async () => {
  server = await startGateway({ modelRepository: FIXTURE_REPOSITORY });
});
after(async () => server.close());

/**
 * Each case is sent as raw JSON text (so 64-bit integers keep every digit) to
 * the identity model of its datatype; the response's data must come back as
 * the same JSON values.
 */
const cases: { datatype: string; data: string; expected?: string }[] = [
  { datatype: 'BOOL', data: '[true,false,true]' },
  { datatype: 'UINT8', data: '[0,1,255]' },
  { datatype: 'UINT16', data: '[0,1,65535]' },
  { datatype: 'UINT32', data: '[0,1,4294967295]' },
  { datatype: 'UINT64', data: '[0,9007199254740993,18446744073709551615]' },
  { datatype: 'INT8', data: '[-128,0,127]' },
  { datatype: 'INT16', data: '[-32768,0,32767]' },
  { datatype: 'INT32', data: '[-2147483648,0,2147483647]' },
  { datatype: 'INT64', data: '[-9223372036854775808,9007199254740993,9223372036854775807]' },
  // FP16: every value exactly representable in half precision (max, min normal, min subnormal).
  { datatype: 'FP16', data: '[65504,-0.5,0.00006103515625,5.960464477539063e-8]' },
  // FP32: values are rounded to float32 once, then come back unchanged.
  { datatype: 'FP32', data: '[0.1,-3.4028234663852886e38,1.401298464324817e-45]', expected: '[0.10000000149011612,-3.4028234663852886e+38,1.401298464324817e-45]' },
  { datatype: 'FP64', data: '[0.1,1.7976931348623157e308,-5e-324]', expected: '[0.1,1.7976931348623157e+308,-5e-324]' },
  { datatype: 'BYTES', data: '["hello","","ünïcødé ✓","quote\\"and\\\\slash"]' },
];

for (const c of cases) {
  test(`${c.datatype} round-trips exactly over JSON`, async () => {
    const count = (JSON.parse(c.data) as unknown[]).length;
    const body = `{"inputs":[{"name":"INPUT0","shape":[1,${count}],"datatype":"${c.datatype}","data":${c.data}}]}`;
    const result = await postJson(`${server.url}/v2/models/identity_${c.datatype.toLowerCase()}/infer`, body);
    assert.equal(result.status, 200, result.text);
    const data = /"data":(\[.*?\])\}/.exec(result.text)?.[1];
    assert.equal(data, c.expected ?? c.data);
    assert.match(result.text, new RegExp(`"datatype":"${c.datatype}","shape":\\[1,${count}\\]`));
  });
}

test('out-of-range integers are refused with the range in the message', async () => {
  const over = await postJson(`${server.url}/v2/models/identity_uint8/infer`, '{"inputs":[{"name":"INPUT0","shape":[1,2],"datatype":"UINT8","data":[1,256]}]}');
  assert.equal(over.status, 400);
  assert.match(over.body.error, /inputs\[0\]\.data\[1\].*255/);
  const int64 = await postJson(`${server.url}/v2/models/identity_int64/infer`, '{"inputs":[{"name":"INPUT0","shape":[1,1],"datatype":"INT64","data":[9223372036854775808]}]}');
  assert.equal(int64.status, 400);
  assert.match(int64.body.error, /inputs\[0\]\.data\[0\]/);
});
