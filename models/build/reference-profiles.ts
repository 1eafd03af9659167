/**
 * Reference profiles (reference.json) of the built models: every version that ships a
 * training-data.csv gets one, made by the same code as `modelgate profile`
 * (gateway/profile/) from that file with the default column mapping, after the model is
 * written. Input features are a pure function of the CSV; output bins of a float output
 * come from ORT's results and may differ in the last bits on another CPU, so
 * test/models.test.ts compares reference.json with a tolerance, not byte for byte.
 */
import { join } from 'node:path';
import { createReferenceProfile, type ProfileReport } from '../../gateway/profile/profile-version.ts';
import { writeReferenceProfile } from '../../gateway/profile/write-profile.ts';
import type { ModelArtifact } from './repository.ts';

export const TRAINING_DATA = 'training-data.csv';

/** The profile of `<root>/<model>/<version>` from its own training-data.csv (nothing written). */
export function profileTrainingData(root: string, model: string, version: string): Promise<ProfileReport> {
  return createReferenceProfile({ repository: root, model, version, data: join(root, model, version, TRAINING_DATA), outputs: PROFILED_OUTPUTS[model] });
}

/**
 * Outputs profiled beyond the default (which skips `[batch, k]` outputs): iris_tfjs has no
 * label output, so its class probabilities are profiled column by column.
 */
const PROFILED_OUTPUTS: Record<string, readonly string[]> = { iris_tfjs: ['probabilities'] };

/** Writes reference.json for every version of `models` with training data; returns build log lines. */
export async function writeReferenceProfiles(root: string, models: readonly ModelArtifact[]): Promise<string[]> {
  const lines: string[] = [];
  for (const model of models) {
    for (const v of model.versions) {
      if (v.files[TRAINING_DATA] === undefined) continue;
      const report = await profileTrainingData(root, model.name, v.dir);
      await writeReferenceProfile(report.versionDirectory, report.profile);
      const names = (list: readonly { name: string }[]) => list.map((f) => f.name).join(', ') || 'none';
      lines.push(`${model.name}/${v.dir}/reference.json: ${report.profile.sampleSize} rows; features ${names(report.profile.features)}; outputs ${names(report.profile.outputs)}`);
    }
  }
  return lines;
}
