import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startGateway, FIXTURE_REPOSITORY } from './helpers/gateway.ts';

/** Warmup runs before READY; a warmup that fails keeps the version from serving, with the reason. */
test('warmup with zero, random and file inputs; a failing warmup fails the load', async () => {
  const repository = mkdtempSync(path.join(tmpdir(), 'modelgate-warmup-'));
  /** A fixture under a new name, with a warmup block added to its config. */
  const copy = (from: string, to: string, warmup: string) => {
    cpSync(path.join(FIXTURE_REPOSITORY, from), path.join(repository, to), { recursive: true });
    const config = path.join(repository, to, 'config.yaml');
    writeFileSync(config, `${readFileSync(config, 'utf8').replace(/^name: .*$/m, `name: ${to}`)}${warmup}\n`);
  };
  copy('add_sub', 'zero', 'warmup: {inputs: zero, runs: 2}');
  copy('identity_bytes', 'random', 'warmup: {inputs: random, runs: 3}');
  copy('add_sub', 'from_file', 'warmup: {inputs: file, file: warmup.json}');
  writeFileSync(path.join(repository, 'from_file', '1', 'warmup.json'), JSON.stringify({
    inputs: [
      { name: 'INPUT0', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] },
      { name: 'INPUT1', shape: [1, 4], datatype: 'FP32', data: [1, 1, 1, 1] },
    ],
  }));
  copy('add_sub', 'bad_file', 'warmup: {inputs: file, file: warmup.json}');
  writeFileSync(path.join(repository, 'bad_file', '1', 'warmup.json'), '{"inputs":[{"name":"INPUT0","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}');
  // Zeros make this model's Reshape fail inside the runtime.
  copy('fails_at_runtime', 'fails', 'warmup: {inputs: zero}');
  const server = await startGateway({ modelRepository: repository });
  try {
    const state = (name: string) => server.gateway.registry.model(name).versions.get(1)!;
    assert.equal(state('zero').state, 'READY');
    assert.equal(state('random').state, 'READY');
    assert.equal(state('from_file').state, 'READY');
    assert.equal(state('bad_file').state, 'UNAVAILABLE');
    assert.match(state('bad_file').reason ?? '', /failed to load: inputs\[0\]\.shape/);
    assert.equal(state('fails').state, 'UNAVAILABLE');
    assert.match(state('fails').reason ?? '', /failed to load: .*reshape/i);
  } finally {
    await server.close();
    rmSync(repository, { recursive: true, force: true });
  }
});
