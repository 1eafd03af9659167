import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import { startGateway } from './helpers/gateway.ts';

const { onnx } = onnxProto as unknown as { onnx: typeof Onnx };

/** y = x + w, where w is external data at `location` (relative to the model file). */
function modelWithExternalData(location: string): Uint8Array {
  const tensorType = { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 4 }] } } };
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'external',
      input: [{ name: 'x', type: tensorType }],
      output: [{ name: 'y', type: tensorType }],
      initializer: [{ name: 'w', dims: [4], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: location }, { key: 'length', value: '16' }] }],
      node: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }],
    },
  })).finish();
}

test('external data that escapes the version directory (by path or by symlink) refuses to load', async () => {
  const repository = mkdtempSync(path.join(tmpdir(), 'modelgate-external-'));
  const weights = Buffer.from(new Float32Array([1, 2, 3, 4]).buffer);
  writeFileSync(path.join(repository, 'secret.bin'), weights);
  const version = (model: string) => {
    const dir = path.join(repository, model, '1');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(repository, model, 'config.yaml'), 'max_batch_size: 0\n');
    return dir;
  };
  writeFileSync(path.join(version('inside'), 'w.bin'), weights);
  writeFileSync(path.join(version('inside'), 'model.onnx'), modelWithExternalData('w.bin'));
  writeFileSync(path.join(version('dotdot'), 'model.onnx'), modelWithExternalData('../../secret.bin'));
  symlinkSync(path.join(repository, 'secret.bin'), path.join(version('symlink'), 'w.bin'));
  writeFileSync(path.join(version('symlink'), 'model.onnx'), modelWithExternalData('w.bin'));
  const server = await startGateway({ modelRepository: repository });
  try {
    const v = (name: string) => server.gateway.registry.model(name).versions.get(1)!;
    assert.equal(v('inside').state, 'READY');
    assert.equal(v('dotdot').state, 'UNAVAILABLE');
    assert.match(v('dotdot').reason ?? '', /escapes model directory/);
    assert.equal(v('symlink').state, 'UNAVAILABLE');
    assert.match(v('symlink').reason ?? '', /w\.bin/);
    assert.doesNotMatch(`${v('dotdot').reason} ${v('symlink').reason}`, /modelgate-external|\/tmp\//);
  } finally {
    await server.close();
    rmSync(repository, { recursive: true, force: true });
  }
});
