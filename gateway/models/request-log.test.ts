import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestLog } from './request-log.ts';

test('the log returns the requests of a window, newest kept when it wraps', () => {
  const log = new RequestLog(4);
  for (let t = 1; t <= 6; t += 1) log.record(t * 1000, t / 10, t % 3 === 0);
  assert.deepEqual(log.since(0), { requests: 4, errors: 2, latencies: [0.6, 0.5, 0.4, 0.3] });
  assert.deepEqual(log.since(5000), { requests: 2, errors: 1, latencies: [0.6, 0.5] });
  assert.deepEqual(log.since(7000), { requests: 0, errors: 0, latencies: [] });
});
