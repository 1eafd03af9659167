import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonBody, scanJson } from './json-body.ts';
import { assertRefused } from '../../test/helpers/assert-refused.ts';

const opts = { maxDepth: 100 };


test('plain bodies parse like JSON.parse, from string, Buffer and Uint8Array views', () => {
  const text = '{"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":[1.5,-2e-3]}],"id":"ä"}';
  const expected = JSON.parse(text) as unknown;
  assert.deepEqual(parseJsonBody(text, opts), expected);
  assert.deepEqual(parseJsonBody(Buffer.from(text), opts), expected);
  const padded = Buffer.from(`xx${text}yy`);
  const view = new Uint8Array(padded.buffer, padded.byteOffset + 2, padded.byteLength - 4);
  assert.deepEqual(parseJsonBody(view, opts), expected);
});

test('integers a double cannot hold come back as bigint, the rest as numbers', () => {
  const body = parseJsonBody(
    '{"data":[9007199254740993,-9223372036854775808,18446744073709551615,9007199254740991,' +
    '1,1.5,-0,12345678901234567.5,1e300],"s":"12345678901234567890","n":{"k": 9223372036854775807}}',
    opts,
  ) as { data: unknown[]; s: unknown; n: { k: unknown } };
  assert.deepEqual(body.data, [
    9007199254740993n, -9223372036854775808n, 18446744073709551615n, 9007199254740991,
    1, 1.5, -0, 12345678901234567.5, 1e300,
  ]);
  assert.equal(body.s, '12345678901234567890');
  assert.equal(body.n.k, 9223372036854775807n);
  assert.equal(parseJsonBody('18446744073709551615', opts), 18446744073709551615n);
});

test('the pre-scan flags only integer literals beyond 2^53 - 1', () => {
  const cases: [string, boolean][] = [
    ['[1234567890123456]', false],
    ['[9007199254740991, -9007199254740991]', false],
    ['[9007199254740992]', true],
    ['[-9007199254740992]', true],
    ['[1,12345678901234567]', true],
    ['[1,\n\t12345678901234567]', true],
    ['[ 12345678901234567 ]', true],
    ['{"a":12345678901234567}', true],
    ['{"a": -12345678901234567}', true],
    ['12345678901234567', true],
    ['  12345678901234567', true],
    ['[0.12345678901234567890, -0.98765432109876543210]', false],
    ['[12345678901234567.5, 12345678901234567e2, 12345678901234567E2]', false],
    ['[1e12345678901234567, 1E-12345678901234567]', false],
    ['["12345678901234567890"]', false],
    ['["a\\",12345678901234567890"]', false], // escaped quote: still inside the string
    ['["a\\\\",12345678901234567890]', true], // escaped backslash: the string has ended
    ['{"12345678901234567890":1}', false],
  ];
  for (const [text, big] of cases) assert.equal(scanJson(text, 100).bigIntegers, big, text);
});

test('nesting deeper than maxDepth is refused before parsing', () => {
  const o3 = { maxDepth: 3 };
  assert.deepEqual(parseJsonBody('[[[1]]]', o3), [[[1]]]);
  assert.deepEqual(parseJsonBody('{"a":{"b":[1]}}', o3), { a: { b: [1] } });
  assert.deepEqual(parseJsonBody('["[[[[[[{{{{"]', o3), ['[[[[[[{{{{']);
  assert.deepEqual(parseJsonBody('["\\"[[[[[["]', o3), ['"[[[[[[']);
  assertRefused(() => parseJsonBody('[[[[1]]]]', o3), 'MODELGATE_ERR_JSON_TOO_DEEP', /deeper than 3/);
  assertRefused(() => parseJsonBody('{"a":{"b":{"c":{}}}}', o3), 'MODELGATE_ERR_JSON_TOO_DEEP', /deeper than 3/);
  assertRefused(() => parseJsonBody('["\\\\",[[[1]]]]', o3), 'MODELGATE_ERR_JSON_TOO_DEEP', /deeper than 3/);
  assertRefused(() => parseJsonBody('[1]'.repeat(1) + '[[[[', o3), 'MODELGATE_ERR_JSON_TOO_DEEP', /deeper/);
  // also on the big-integer path
  assertRefused(() => parseJsonBody('[[[[12345678901234567890]]]]', o3), 'MODELGATE_ERR_JSON_TOO_DEEP', /deeper/);
});

test('a 1e6-deep bomb never reaches the parser', (t) => {
  const parse = t.mock.method(JSON, 'parse');
  const bomb = Buffer.from('['.repeat(1e6) + ']'.repeat(1e6));
  const started = performance.now();
  assertRefused(() => parseJsonBody(bomb, opts), 'MODELGATE_ERR_JSON_TOO_DEEP', /deeper than 100 levels \(at position 100\)/);
  const objects = '{"a":'.repeat(1e6);
  assertRefused(() => parseJsonBody(objects, opts), 'MODELGATE_ERR_JSON_TOO_DEEP', /deeper than 100/);
  assert.equal(parse.mock.callCount(), 0);
  assert.ok(performance.now() - started < 500, 'the rejection should be immediate');
});

test('malformed JSON: the message gives the position and nothing internal', () => {
  const cases: [string, RegExp][] = [
    ['{"a":}', /value expected after ':' at position 5/],
    ['{"a":1', /end of input at position 6/],
    ['{"a":1} x', /Expected end of input but got 'x' at position 8/],
    ['{a:1}', /object key expected but got 'a' at position 1/],
    ['[1,]', /item expected but got '\]' at position 3/],
    ['["a\u0001"]', /Invalid character .* at position 3/],
    ['["\\x"]', /Invalid escape character .* at position 2/],
    ['[01]', /Comma ',' expected after value but got '1' at position 2/],
    ['[NaN]', /expected but got 'N' at position 1/],
    ['[1e400', /end of input at position 6/],
    ['{"a":12345678901234567890,}', /object key expected but got '}' at position 26/], // lossless-json path
  ];
  for (const [text, pattern] of cases) {
    assertRefused(() => parseJsonBody(text, opts), 'MODELGATE_ERR_MALFORMED_JSON', pattern);
  }
  assertRefused(() => parseJsonBody('', opts), 'MODELGATE_ERR_MALFORMED_JSON', /empty body/);
  assertRefused(() => parseJsonBody(Buffer.from('  \n'), opts), 'MODELGATE_ERR_MALFORMED_JSON', /empty body/);
  const err = assertRefused(() => parseJsonBody('{"a":}', opts), 'MODELGATE_ERR_MALFORMED_JSON', /^request body: malformed JSON/);
  assert.equal(err.status, 400);
});
