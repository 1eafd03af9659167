/**
 * The model repositories this build produces (samples, test fixtures, benchmark models),
 * as pure functions (no I/O), so the build script writes them and the tests can rebuild
 * them in memory and compare bytes.
 * Paths are relative to the project root.
 */
import { benchModels } from './bench-models.ts';
import { fixtureModels } from './fixtures.ts';
import { slowFixture } from './fixture-slow.ts';
import { irisSplit } from './iris-data.ts';
import { irisModel, irisVersion } from './iris-export.ts';
import { irisGraphFixture, irisTfjsModel } from './iris-tfjs.ts';
import type { ModelArtifact } from './repository.ts';
import { buildPetalWidth } from './train-petal-width.ts';
import { trainIrisMlp } from './train-iris-mlp.ts';
import { trainIrisSoftmax } from './train-iris-softmax.ts';
import { trainIrisTfjs, type TrainedTfjsIris } from './train-iris-tfjs.ts';

export interface Repository {
  root: string;
  build: () => ModelArtifact[] | Promise<ModelArtifact[]>;
}

/** The default model repository: trained sample models. */
export async function sampleModels(): Promise<ModelArtifact[]> {
  const split = irisSplit();
  return [
    irisModel([irisVersion(trainIrisSoftmax(split), split), irisVersion(trainIrisMlp(split), split)]),
    buildPetalWidth(split),
    irisTfjsModel(await trainedTfjs(), split),
  ];
}

/** The TensorFlow.js test repository: the iris_tfjs weights as a graph model. */
export async function tfjsFixtureModels(): Promise<ModelArtifact[]> {
  return [irisGraphFixture(await trainedTfjs(), irisSplit())];
}

/** Trained once per process: the sample and the graph fixture share its weights. */
let tfjsTraining: Promise<TrainedTfjsIris> | undefined;
function trainedTfjs(): Promise<TrainedTfjsIris> {
  tfjsTraining ??= trainIrisTfjs(irisSplit());
  return tfjsTraining;
}

/** The test repository: one small model per behaviour under test. */
export function testFixtureModels(): ModelArtifact[] {
  return [...fixtureModels(), slowFixture()];
}

export const REPOSITORIES: readonly Repository[] = [
  { root: 'models', build: sampleModels },
  { root: 'test/fixtures/models', build: testFixtureModels },
  { root: 'test/fixtures/tfjs-models', build: tfjsFixtureModels },
  { root: 'bench/models', build: benchModels },
];
