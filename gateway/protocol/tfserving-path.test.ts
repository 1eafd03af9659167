import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTfServingPath } from './tfserving-path.ts';

test('status, metadata and verbs, with and without a version or label', () => {
  assert.deepEqual(parseTfServingPath('/v1/models/iris'), { kind: 'status', model: 'iris' });
  assert.deepEqual(parseTfServingPath('/v1/models/iris/versions/2'), { kind: 'status', model: 'iris', version: '2' });
  assert.deepEqual(parseTfServingPath('/v1/models/iris/labels/stable'), { kind: 'status', model: 'iris', label: 'stable' });
  assert.deepEqual(parseTfServingPath('/v1/models/iris/metadata'), { kind: 'metadata', model: 'iris' });
  assert.deepEqual(parseTfServingPath('/v1/models/iris/versions/2/metadata'), { kind: 'metadata', model: 'iris', version: '2' });
  assert.deepEqual(parseTfServingPath('/v1/models/iris/labels/canary/metadata'), { kind: 'metadata', model: 'iris', label: 'canary' });
  assert.deepEqual(parseTfServingPath('/v1/models/iris:predict'), { kind: 'verb', verb: 'predict', model: 'iris' });
  assert.deepEqual(parseTfServingPath('/v1/models/iris/versions/1:predict'), { kind: 'verb', verb: 'predict', model: 'iris', version: '1' });
  assert.deepEqual(parseTfServingPath('/v1/models/m.v-2_x/labels/a.b-c:classify'), { kind: 'verb', verb: 'classify', model: 'm.v-2_x', label: 'a.b-c' });
});

test('a model may be called "metadata"', () => {
  assert.deepEqual(parseTfServingPath('/v1/models/metadata'), { kind: 'status', model: 'metadata' });
  assert.deepEqual(parseTfServingPath('/v1/models/metadata/metadata'), { kind: 'metadata', model: 'metadata' });
});

test('paths outside the grammar are undefined', () => {
  for (const path of [
    '/v1/models', '/v1/models/', '/v2/models/iris', '/v1/models/iris/', '/v1/models//versions/1',
    '/v1/models/iris/versions', '/v1/models/iris/versions/1/2', '/v1/models/iris/other/1',
    '/v1/models/iris/metadata:predict', '/v1/models/iris:', '/v1/models/iris:pre:dict',
    '/v1/models/iris:predict/x', '/v1/models/iris/versions/1/metadata/metadata',
  ]) {
    assert.equal(parseTfServingPath(path), undefined, path);
  }
});
