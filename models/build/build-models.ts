/**
 * Entry point of `npm run build:models`: trains the sample models, builds the test
 * fixtures and the benchmark models, and writes the three repositories (models/,
 * test/fixtures/models/ and bench/models/; see catalog.ts), then
 * loads every written model.onnx with onnxruntime-node and runs its checks.
 *
 * Everything is seeded, so a rebuild writes byte-identical files (expected.json holds
 * ORT's float results and is identical on the same machine). Run from any directory.
 * Last, every version with a training-data.csv gets its reference.json (reference-profiles.ts).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { REPOSITORIES } from './catalog.ts';
import { SESSION_OPTIONS } from './expected.ts';
import { writeReferenceProfiles } from './reference-profiles.ts';
import { writeModels } from './repository.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

for (const repo of REPOSITORIES) {
  const root = join(projectRoot, repo.root);
  const models = await repo.build();
  await writeModels(root, models);
  for (const model of models) {
    for (const v of model.versions) {
      if (v.onnx === undefined) {
        console.log(`${repo.root}/${model.name}/${v.dir}: ${Object.keys(v.files).join(', ')}${v.notes.map((l) => `\n  ${l}`).join('')}`);
        continue;
      }
      const path = join(root, model.name, v.dir, 'model.onnx');
      const session = await ort.InferenceSession.create(await readFile(path), SESSION_OPTIONS);
      const lines = [...v.notes];
      if (v.verify) lines.push(await v.verify(session));
      await session.release();
      console.log(`${repo.root}/${model.name}/${v.dir}: ${v.onnx.length} bytes${lines.map((l) => `\n  ${l}`).join('')}`);
    }
  }
  for (const line of await writeReferenceProfiles(root, models)) console.log(`${repo.root}/${line}`);
}
