import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, postJson, FIXTURE_REPOSITORY, type RunningGateway } from './helpers/gateway.ts';
import { DATATYPE_CASES } from './helpers/datatype-cases.ts';

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
const cases = DATATYPE_CASES;

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
