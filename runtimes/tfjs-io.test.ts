import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readModelJson, shardPath } from './tfjs-io.ts';
import { modelJsonFormat } from './tfjs-format.ts';

let root: string;
let version: string;
before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'modelgate-tfjs-io-'));
  version = path.join(root, 'model', '1');
  mkdirSync(path.join(version, 'shards'), { recursive: true });
  writeFileSync(path.join(version, 'a.bin'), Buffer.from([1, 2, 3, 4]));
  writeFileSync(path.join(version, 'shards', 'b.bin'), Buffer.from([5, 6, 7, 8]));
  writeFileSync(path.join(root, 'outside.bin'), Buffer.from([9, 9, 9, 9]));
  symlinkSync(path.join(root, 'outside.bin'), path.join(version, 'link-out.bin'));
  symlinkSync(path.join(version, 'a.bin'), path.join(version, 'link-in.bin'));
});
after(() => rmSync(root, { recursive: true, force: true }));

test('shards inside the version directory are read, in manifest order, subfolders and inner symlinks too', async () => {
  const weights = [{ name: 'w', shape: [3], dtype: 'float32' as const }];
  writeFileSync(path.join(version, 'model.json'), JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] }));
  const source = await readModelJson(path.join(version, 'model.json'));
  const [specs, data] = await source.loadWeights([{ paths: ['shards/b.bin', 'a.bin', './link-in.bin'], weights }]);
  assert.deepEqual(specs, weights);
  assert.deepEqual([...new Uint8Array(data)], [5, 6, 7, 8, 1, 2, 3, 4, 1, 2, 3, 4]);
});

test('a weights path that is absolute, a URL, escapes with .., or is a symlink out is refused before reading', async () => {
  const cases: [string, RegExp][] = [
    ['../../outside.bin', /weights path "\.\.\/\.\.\/outside\.bin" escapes the version directory/],
    ['shards/../../x.bin', /escapes the version directory/],
    [path.join(root, 'outside.bin'), /is absolute or a URL; it must be relative to the version directory/],
    ['file:///etc/passwd', /is absolute or a URL/],
    ['C:\\weights.bin', /is absolute or a URL/],
    ['link-out.bin', /weights path "link-out\.bin" resolves outside the version directory \(a symlink\?\); refusing to read it/],
    ['missing.bin', /weights file "missing\.bin" does not exist/],
    ['', /non-empty strings/],
  ];
  for (const [shard, message] of cases) await assert.rejects(shardPath(version, shard), message, shard);
});

test('model.json that is not JSON or has no topology is refused with the reason', async () => {
  writeFileSync(path.join(version, 'model.json'), '{"format": "graph-model",');
  await assert.rejects(readModelJson(path.join(version, 'model.json')), /^Error: model\.json is not valid JSON/);
  writeFileSync(path.join(version, 'model.json'), '{"format": "graph-model"}');
  await assert.rejects(readModelJson(path.join(version, 'model.json')), /model\.json has no modelTopology/);
});

test('model.json format: the format field, else the topology', () => {
  assert.equal(modelJsonFormat({ format: 'graph-model', modelTopology: {} }), 'graph-model');
  assert.equal(modelJsonFormat({ format: 'layers-model', modelTopology: {} }), 'layers-model');
  assert.equal(modelJsonFormat({ modelTopology: { node: [] } }), 'graph-model');
  assert.equal(modelJsonFormat({ modelTopology: { class_name: 'Sequential', config: {} } }), 'layers-model');
  assert.equal(modelJsonFormat({ modelTopology: { model_config: { class_name: 'Model' } } }), 'layers-model');
  assert.equal(modelJsonFormat({ format: 'something-else', modelTopology: { node: [] } }), undefined);
  assert.equal(modelJsonFormat([]), undefined);
  assert.equal(modelJsonFormat(null), undefined);
});
