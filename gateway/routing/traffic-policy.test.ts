import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrafficPolicy } from './traffic-policy.ts';

const policy = (weights: Record<number, number>) =>
  TrafficPolicy.parse({ versions: Object.entries(weights).map(([version, weight]) => ({ version: Number(version), weight })) });

test('weights split random traffic in proportion', () => {
  const p = policy({ 1: 75, 2: 25 });
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const counts = { 1: 0, 2: 0 } as Record<number, number>;
  for (let i = 0; i < 20000; i += 1) counts[p.choose(undefined, random)]! += 1;
  assert.ok(Math.abs(counts[2]! / 20000 - 0.25) < 0.015, JSON.stringify(counts));
});

test('a sticky key keeps its version while weights stay, and a canary key stays as the canary grows', () => {
  const keys = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
  const at5 = policy({ 1: 95, 2: 5 });
  const at25 = policy({ 1: 75, 2: 25 });
  const at50 = policy({ 1: 50, 2: 50 });
  for (const key of keys) {
    assert.equal(at5.choose(key), at5.choose(key), 'same key, same policy, same version');
    if (at5.choose(key) === 2) assert.equal(at25.choose(key), 2, `${key} left the canary when it grew`);
    if (at25.choose(key) === 2) assert.equal(at50.choose(key), 2);
  }
  const share = keys.filter((k) => at25.choose(k) === 2).length / keys.length;
  assert.ok(Math.abs(share - 0.25) < 0.04, `keyed share ${share}`);
});

test('invalid policies name the problem', () => {
  assert.throws(() => TrafficPolicy.parse({ versions: [{ version: 1, weight: 0 }] }), /at least one weight above 0/);
  assert.throws(() => TrafficPolicy.parse({ versions: [{ version: 1, weight: 50 }, { version: 1, weight: 50 }] }), /version 1 is listed twice/);
  assert.throws(() => TrafficPolicy.parse({ versions: [] }), /versions/);
  assert.throws(() => TrafficPolicy.parse({ versions: [{ version: 1, weight: 50 }], extra: 1 }), /extra|Unrecognized/i);
});
