import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admit, decideBatch, insertionIndex, serviceOrder, type BatchPolicy, type QueuedItem } from './batch-policy.ts';

const base: BatchPolicy = {
  maxBatchSize: 8,
  preferredBatchSizes: [],
  maxQueueDelayUs: 10_000, // 10 ms
  maxQueueSize: 0,
  defaultTimeoutUs: 0,
  priorityLevels: 0,
  defaultPriority: 1,
};

function policy(overrides: Partial<BatchPolicy> = {}): BatchPolicy {
  return { ...base, ...overrides };
}

function item(overrides: Partial<QueuedItem> = {}): QueuedItem {
  return { rows: 1, shapeKey: 'A', priority: 1, enqueuedAt: 0, deadline: Infinity, ...overrides };
}

/** n one-row items of shape A enqueued at t = 0, 1, 2, … */
function ones(n: number): QueuedItem[] {
  return Array.from({ length: n }, (_, i) => item({ enqueuedAt: i }));
}

test('an empty queue dispatches nothing and sleeps until the next event', () => {
  assert.deepEqual(decideBatch([], base, 5), { expired: [], dispatch: [], wakeAt: Infinity });
});

test('with no delay, whatever is queued is dispatched at once', () => {
  const d = decideBatch(ones(3), policy({ maxQueueDelayUs: 0 }), 3);
  assert.deepEqual(d.dispatch, [0, 1, 2]);
});

test('a partial batch waits until its oldest item has waited max_queue_delay', () => {
  const queue = [item({ enqueuedAt: 100 }), item({ enqueuedAt: 104 })];
  const early = decideBatch(queue, base, 105);
  assert.deepEqual(early.dispatch, []);
  assert.equal(early.wakeAt, 110);
  assert.deepEqual(decideBatch(queue, base, 109.9).dispatch, []);
  assert.deepEqual(decideBatch(queue, base, 110).dispatch, [0, 1]);
});

test('a batch that reaches max_batch_size goes at once, and never exceeds it', () => {
  assert.deepEqual(decideBatch(ones(8), base, 8).dispatch, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(decideBatch(ones(11), base, 11).dispatch, [0, 1, 2, 3, 4, 5, 6, 7]);
  const multi = [item({ rows: 3 }), item({ rows: 3, enqueuedAt: 1 })];
  assert.deepEqual(decideBatch(multi, base, 2).dispatch, [], '6 of 8 rows: wait');
  const full = [...multi, item({ rows: 2, enqueuedAt: 2 })];
  assert.deepEqual(decideBatch(full, base, 2).dispatch, [0, 1, 2]);
});

test('a batch the next compatible item cannot join goes at once; later smaller items do not overtake', () => {
  const queue = [item({ rows: 5 }), item({ rows: 4, enqueuedAt: 1 }), item({ rows: 2, enqueuedAt: 2 })];
  assert.deepEqual(decideBatch(queue, base, 3).dispatch, [0]);
});

test('preferred sizes: the largest exactly reachable prefix goes at once', () => {
  const p = policy({ preferredBatchSizes: [2, 4] });
  assert.deepEqual(decideBatch(ones(1), p, 1).dispatch, [], '1 row: no preferred size reached');
  assert.deepEqual(decideBatch(ones(3), p, 3).dispatch, [0, 1]);
  assert.deepEqual(decideBatch(ones(5), p, 5).dispatch, [0, 1, 2, 3]);
  // 3 + 3 never totals 4; 6 ≥ the largest preferred size, so waiting cannot reach one: all go.
  const odd = [item({ rows: 3 }), item({ rows: 3, enqueuedAt: 1 })];
  assert.deepEqual(decideBatch(odd, policy({ preferredBatchSizes: [4] }), 2).dispatch, [0, 1]);
  // 3 then 5 is below the largest preferred size 6 and matches none: wait.
  const below = [item({ rows: 3 }), item({ rows: 2, enqueuedAt: 1 })];
  assert.deepEqual(decideBatch(below, policy({ preferredBatchSizes: [4, 6] }), 2).dispatch, []);
  // A preferred size beyond max_batch_size is ignored.
  assert.deepEqual(decideBatch(ones(4), policy({ preferredBatchSizes: [16] }), 4).dispatch, []);
});

test('after the delay the whole gathered batch goes, not only its preferred prefix', () => {
  const p = policy({ preferredBatchSizes: [4] });
  assert.deepEqual(decideBatch(ones(3), p, 3).dispatch, []);
  assert.deepEqual(decideBatch(ones(3), p, 10).dispatch, [0, 1, 2]);
});

test('priority first (1 is highest), then FIFO; the delay counts from the oldest gathered item', () => {
  const queue = [item({ priority: 2, enqueuedAt: 0 }), item({ priority: 1, enqueuedAt: 5 }), item({ priority: 1, enqueuedAt: 6 })];
  assert.deepEqual(decideBatch(queue, policy({ maxQueueDelayUs: 0 }), 7).dispatch, [1, 2, 0]);
  assert.deepEqual(decideBatch(queue, policy({ maxBatchSize: 1 }), 7).dispatch, [1]);
  // Waiting: the priority-2 item (t=0) is the oldest of the batch, so the batch is due at 10.
  assert.equal(decideBatch(queue, base, 7).wakeAt, 10);
  assert.deepEqual(decideBatch(queue, base, 10).dispatch, [1, 2, 0]);
});

test('service order does not depend on the order the queue is given in', () => {
  const queue = [item({ enqueuedAt: 9 }), item({ priority: 3, enqueuedAt: 1 }), item({ enqueuedAt: 2 })];
  assert.deepEqual(serviceOrder(queue), [2, 0, 1]);
  assert.deepEqual(decideBatch(queue, policy({ maxBatchSize: 2, maxQueueDelayUs: 0 }), 10).dispatch, [2, 0]);
});

test('insertionIndex keeps a queue in service order: by priority, FIFO among equals', () => {
  const queue: QueuedItem[] = [];
  const arrivals = [3, 1, 2, 1, 3, 2, 1].map((priority, t) => item({ priority, enqueuedAt: t }));
  for (const arrival of arrivals) queue.splice(insertionIndex(queue, arrival), 0, arrival);
  assert.deepEqual(queue.map((x) => [x.priority, x.enqueuedAt]), [[1, 1], [1, 3], [1, 6], [2, 2], [2, 5], [3, 0], [3, 4]]);
  assert.deepEqual(serviceOrder(queue), [0, 1, 2, 3, 4, 5, 6]);
  // Equal priority and arrival time (same clock reading): still first come, first served.
  const ties: QueuedItem[] = [];
  for (const rows of [1, 2, 3]) ties.splice(insertionIndex(ties, item({ rows, enqueuedAt: 9 })), 0, item({ rows, enqueuedAt: 9 }));
  assert.deepEqual(ties.map((x) => x.rows), [1, 2, 3]);
});

test('an item whose deadline passed is expired, never batched', () => {
  const queue = [item({ deadline: 4 }), item({ enqueuedAt: 1 }), item({ enqueuedAt: 2, deadline: 30 })];
  const d = decideBatch(queue, policy({ maxQueueDelayUs: 0 }), 4);
  assert.deepEqual(d.expired, [0]);
  assert.deepEqual(d.dispatch, [1, 2]);
});

test('the wake-up comes at the earliest deadline of any queued item when that is before the delay', () => {
  const queue = [item({ shapeKey: 'A', enqueuedAt: 0 }), item({ shapeKey: 'B', enqueuedAt: 1, deadline: 3 })];
  const d = decideBatch(queue, base, 2);
  assert.deepEqual(d, { expired: [], dispatch: [], wakeAt: 3 });
  assert.deepEqual(decideBatch(queue, base, 3).expired, [1]);
});

test('requests of different shapes never share a batch', () => {
  const queue = [item({ shapeKey: 'A' }), item({ shapeKey: 'B', enqueuedAt: 1 }), item({ shapeKey: 'A', enqueuedAt: 2 })];
  const p = policy({ maxQueueDelayUs: 0 });
  assert.deepEqual(decideBatch(queue, p, 3).dispatch, [0, 2]);
  assert.deepEqual(decideBatch([queue[1] as QueuedItem], p, 3).dispatch, [0]);
});

test('max_batch_size 0: no batching, each request alone and at once', () => {
  const queue = [item({ rows: 4 }), item({ rows: 4, enqueuedAt: 1 })];
  const d = decideBatch(queue, policy({ maxBatchSize: 0, preferredBatchSizes: [2] }), 1);
  assert.deepEqual(d.dispatch, [0]);
});

test('admit: max_queue_size bounds the queue; 0 is unlimited', () => {
  assert.equal(admit(10_000, base), true);
  assert.equal(admit(1, policy({ maxQueueSize: 2 })), true);
  assert.equal(admit(2, policy({ maxQueueSize: 2 })), false);
});

test('invariants hold on random queues', () => {
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let round = 0; round < 2000; round++) {
    const p = policy({ maxBatchSize: 1 + rand(8), preferredBatchSizes: rand(2) === 0 ? [] : [1 + rand(8)], maxQueueDelayUs: rand(3) * 5000 });
    const now = 50;
    const queue = Array.from({ length: rand(10) }, () =>
      item({
        rows: 1 + rand(p.maxBatchSize),
        shapeKey: rand(2) === 0 ? 'A' : 'B',
        priority: 1 + rand(3),
        enqueuedAt: 40 + rand(10),
        deadline: rand(3) === 0 ? 45 + rand(20) : Infinity,
      }),
    );
    const d = decideBatch(queue, p, now);
    const batch = d.dispatch.map((i) => queue[i] as QueuedItem);
    assert.ok(batch.every((x) => x.deadline > now), 'no expired item is dispatched');
    assert.ok(batch.every((x) => x.shapeKey === batch[0]?.shapeKey), 'one shape per batch');
    assert.ok(batch.reduce((s, x) => s + x.rows, 0) <= p.maxBatchSize, 'batch within max_batch_size');
    assert.equal(new Set(d.dispatch).size, d.dispatch.length);
    assert.deepEqual(d.expired, queue.flatMap((x, i) => (x.deadline <= now ? [i] : [])));
    if (d.dispatch.length === 0 && d.expired.length === 0) assert.ok(d.wakeAt > now, 'a wait always ends in the future');
    if (queue.some((x) => x.deadline > now)) assert.ok(d.dispatch.length > 0 || d.wakeAt < Infinity, 'a live queue never sleeps forever');
  }
});
