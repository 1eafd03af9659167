import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canMove, checkedMove, type VersionState } from './lifecycle.ts';

test('the lifecycle allows exactly Triton\'s transitions', () => {
  const states: VersionState[] = ['LOADING', 'READY', 'UNLOADING', 'UNAVAILABLE'];
  const allowed = states.flatMap((from) => states.filter((to) => canMove(from, to)).map((to) => `${from}→${to}`));
  assert.deepEqual(allowed, ['LOADING→READY', 'LOADING→UNAVAILABLE', 'READY→UNLOADING', 'UNLOADING→UNAVAILABLE']);
  assert.throws(() => checkedMove('UNAVAILABLE', 'READY'), /invalid lifecycle transition UNAVAILABLE → READY/);
  assert.equal(checkedMove('READY', 'UNLOADING'), 'UNLOADING');
});
