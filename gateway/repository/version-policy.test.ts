import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectVersions } from './version-policy.ts';

test('no policy serves only the latest version', () => {
  assert.deepEqual(selectVersions([3, 1, 2], undefined), { selected: [3], missing: [] });
});

test('latest N serves the N highest versions', () => {
  assert.deepEqual(selectVersions([1, 2, 3], { latest: { num_versions: 2 } }), { selected: [2, 3], missing: [] });
  assert.deepEqual(selectVersions([5], { latest: { num_versions: 3 } }), { selected: [5], missing: [] });
});

test('all serves every version, ascending', () => {
  assert.deepEqual(selectVersions([10, 2], { all: {} }), { selected: [2, 10], missing: [] });
});

test('specific reports versions that are not in the repository', () => {
  assert.deepEqual(selectVersions([1, 2], { specific: { versions: [2, 7, 2] } }), { selected: [2], missing: [7] });
});
