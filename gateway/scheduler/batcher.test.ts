import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError } from '../errors.ts';
import type { NamedTensors } from '../../runtimes/tensor.ts';
import { batcher, expected, fakeRun, gate, request, tick } from './batcher-fixtures.ts';

test('concurrent submits each get exactly their own rows back, in batches', async () => {
  const { run, batches } = fakeRun({ delayMs: 2 });
  const b = batcher({}, run, { maxInflightBatches: 2 });
  const sizes = Array.from({ length: 60 }, (_, id) => 1 + (id % 3));
  const results = await Promise.all(sizes.map((rows, id) => b.submit(request(id, rows))));
  results.forEach((result, id) => assert.deepEqual(result, expected(id, sizes[id])));
  assert.ok(batches.length < 60, `expected batching, got ${batches.length} batches for 60 requests`);
  assert.ok(batches.every((ids) => ids.length <= 8), 'no batch exceeds max_batch_size');
  await b.close();
});

test('under load the next batch forms while the workers are busy', async () => {
  const hold = gate();
  const { run, batches } = fakeRun({ hold: hold.wait });
  const b = batcher({}, run, { maxInflightBatches: 1 });
  const first = b.submit(request(100));
  await tick();
  const rest = Array.from({ length: 20 }, (_, id) => b.submit(request(id)));
  await tick();
  assert.equal(b.queueLength, 20);
  hold.open();
  await Promise.all([first, ...rest]);
  assert.deepEqual(batches.map((ids) => ids.length), [1, 8, 8, 4]);
  assert.deepEqual(batches.slice(1).flat(), Array.from({ length: 20 }, (_, id) => id), 'FIFO within a priority');
  await b.close();
});

test('a partial batch waits for max_queue_delay; a full one goes at once', { timeout: 5000 }, async () => {
  const { run, batches } = fakeRun();
  const b = batcher({ maxQueueDelayUs: 30_000, maxBatchSize: 4 }, run, { maxInflightBatches: 4 });
  const started = performance.now();
  const early = [b.submit(request(1)), b.submit(request(2))];
  await tick();
  await sleep(5);
  const late = b.submit(request(3));
  await Promise.all([...early, late]);
  const waited = performance.now() - started;
  assert.deepEqual(batches, [[1, 2, 3]]);
  assert.ok(waited >= 29, `dispatched after ${waited} ms, before the 30 ms delay`);
  // (A timer that never fired would leave the batch waiting: the test's timeout catches that.)

  const slow = batcher({ maxQueueDelayUs: 60_000_000, maxBatchSize: 4 }, run);
  const full = await Promise.all([1, 2, 3, 4].map((id) => slow.submit(request(id))));
  assert.equal(full.length, 4, 'a batch at max_batch_size does not wait the 60 s delay');
  await Promise.all([b.close(), slow.close()]);
});

test('a full queue refuses at once with MODELGATE_ERR_QUEUE_FULL naming max_queue_size', async () => {
  const hold = gate();
  const { run } = fakeRun({ hold: hold.wait });
  const b = batcher({ maxQueueSize: 2, maxBatchSize: 1 }, run);
  const running = b.submit(request(1));
  await tick();
  const queued = [b.submit(request(2)), b.submit(request(3))];
  await assert.rejects(b.submit(request(4)), (error: unknown) => {
    assert.ok(error instanceof GatewayError);
    assert.equal(error.code, 'MODELGATE_ERR_QUEUE_FULL');
    assert.equal(error.status, 503);
    assert.match(error.message, /max_queue_size 2/);
    return true;
  });
  hold.open();
  assert.deepEqual(await Promise.all([running, ...queued]), [expected(1), expected(2), expected(3)]);
  await b.close();
});

test('a request that outlives its timeout in the queue fails with MODELGATE_ERR_TIMEOUT; a request may only lower the timeout', async () => {
  const hold = gate();
  const { run, batches } = fakeRun({ hold: hold.wait });
  const b = batcher({ maxBatchSize: 1, defaultTimeoutUs: 40_000 }, run);
  const running = b.submit(request(1));
  await tick();
  const started = performance.now();
  const short = b.submit(request(2, 1, { timeoutUs: 10_000 }));
  const long = b.submit(request(3, 1, { timeoutUs: 2_000_000 }));
  const timedOut = (error: unknown): boolean => {
    assert.ok(error instanceof GatewayError);
    assert.equal(error.code, 'MODELGATE_ERR_TIMEOUT');
    assert.match(error.message, /waited in the queue past its timeout/);
    return true;
  };
  await assert.rejects(short, timedOut);
  const shortAt = performance.now() - started;
  await assert.rejects(long, timedOut);
  const longAt = performance.now() - started;
  assert.ok(shortAt >= 9, `10 ms timeout fired early, after ${shortAt} ms`);
  assert.ok(longAt >= 39 && longAt > shortAt, `40 ms default fired after ${longAt} ms (the 10 ms one after ${shortAt} ms)`);
  assert.ok(longAt < 1500, `a 2 s request timeout was not clamped to the 40 ms default (${longAt} ms)`);
  assert.equal(b.queueLength, 0);
  hold.open();
  assert.deepEqual(await running, expected(1));
  assert.deepEqual(batches, [[1]], 'expired requests never run');
  await b.close();
});

/** A Cancellation driven by hand, as the HTTP layer's is by the response's 'close'. */
function client(gone = false) {
  const callbacks = new Set<() => void>();
  return {
    cancelled: gone,
    onCancel(callback: () => void): () => void {
      callbacks.add(callback);
      return () => callbacks.delete(callback);
    },
    leave(): void {
      this.cancelled = true;
      for (const callback of [...callbacks]) callback();
    },
    get registered(): number {
      return callbacks.size;
    },
  };
}

test('a cancelled request leaves the queue at once and never runs', async () => {
  const hold = gate();
  const { run, batches } = fakeRun({ hold: hold.wait });
  const b = batcher({}, run);
  const stayingClient = client();
  const running = b.submit(request(1, 1, { cancel: stayingClient }));
  await tick();
  assert.equal(stayingClient.registered, 0, 'a dispatched request unregisters its callback');
  const goingClient = client();
  const gone = b.submit(request(2, 1, { cancel: goingClient }));
  const stays = b.submit(request(3));
  assert.equal(b.queueLength, 2);
  assert.equal(goingClient.registered, 1);
  goingClient.leave();
  assert.equal(b.queueLength, 1);
  assert.equal(goingClient.registered, 0);
  await assert.rejects(gone, (error: unknown) => {
    assert.ok(error instanceof GatewayError);
    assert.equal(error.code, 'MODELGATE_ERR_CLIENT_CLOSED');
    assert.equal(error.status, 499);
    assert.match(error.message, /client closed the connection/);
    return true;
  });
  await assert.rejects(b.submit(request(4, 1, { cancel: client(true) })), /client closed the connection/);
  hold.open();
  assert.deepEqual(await Promise.all([running, stays]), [expected(1), expected(3)]);
  assert.deepEqual(batches, [[1], [3]]);
  await b.close();
});

test('higher priority (lower number) is served first, FIFO within a level', async () => {
  const hold = gate();
  const { run, batches } = fakeRun({ hold: hold.wait });
  const b = batcher({ maxBatchSize: 1 }, run);
  const all = [b.submit(request(0))];
  await tick();
  all.push(b.submit(request(31, 1, { priority: 3 })), b.submit(request(21)), b.submit(request(11, 1, { priority: 1 })));
  all.push(b.submit(request(22, 1, { priority: 2 })), b.submit(request(12, 1, { priority: 1 })));
  hold.open();
  await Promise.all(all);
  assert.deepEqual(batches.flat(), [0, 11, 12, 21, 22, 31]);
  await b.close();
});

test('a failing run fails every request of its batch with the same error, and only that batch', async () => {
  const hold = gate();
  const { run, batches } = fakeRun({ hold: hold.wait, failIf: (ids) => ids.includes(66) });
  const b = batcher({ maxBatchSize: 2 }, run);
  const first = b.submit(request(1));
  await tick();
  const doomed = [b.submit(request(2)), b.submit(request(66))];
  const fine = [b.submit(request(3)), b.submit(request(4))];
  hold.open();
  const settled = await Promise.allSettled([first, ...doomed, ...fine]);
  assert.deepEqual(batches, [[1], [2, 66], [3, 4]]);
  const [a, b2] = settled.slice(1, 3);
  assert.ok(a?.status === 'rejected' && b2?.status === 'rejected');
  assert.equal(a.reason, b2.reason, 'one error object for the whole batch');
  assert.match(String(a.reason), /batch 2,66 failed/);
  assert.deepEqual(settled.filter((s) => s.status === 'fulfilled').map((s) => s.value), [expected(1), expected(3), expected(4)]);
  await b.close();
});

test('close({ drain: true }) runs everything queued and waits for it; new requests are refused', { timeout: 5000 }, async () => {
  const hold = gate();
  const { run, batches } = fakeRun({ hold: hold.wait });
  const b = batcher({ maxBatchSize: 2, maxQueueDelayUs: 60_000_000 }, run);
  const queued = [1, 2, 3].map((id) => b.submit(request(id)));
  await tick();
  let closed = false;
  const closing = b.close({ drain: true }).then(() => (closed = true));
  await assert.rejects(b.submit(request(9)), { code: 'MODELGATE_ERR_SHUTTING_DOWN' });
  await sleep(5);
  assert.equal(closed, false, 'close waits for the batches in flight');
  hold.open();
  assert.deepEqual(await Promise.all(queued), [expected(1), expected(2), expected(3)]);
  await closing;
  assert.deepEqual(batches, [[1, 2], [3]], 'the lone request did not wait out the 60 s delay');
});

test('close() without drain rejects what is queued with MODELGATE_ERR_SHUTTING_DOWN and waits for what runs', async () => {
  const hold = gate();
  const { run, batches } = fakeRun({ hold: hold.wait });
  const b = batcher({ maxBatchSize: 1 }, run);
  const running = b.submit(request(1));
  await tick();
  const queued = b.submit(request(2));
  const closing = b.close();
  await assert.rejects(queued, { code: 'MODELGATE_ERR_SHUTTING_DOWN', status: 503 });
  hold.open();
  assert.deepEqual(await running, expected(1));
  await closing;
  assert.deepEqual(batches, [[1]]);
});

test('onBatch reports rows and queue waits on the injected clock', async () => {
  let now = 1000;
  const seen: Array<[number, number[]]> = [];
  const { run } = fakeRun();
  const b = batcher({}, run, { onBatch: (size, waits) => seen.push([size, waits]) }, () => now);
  const pending = [b.submit(request(1, 3))];
  now = 1010;
  pending.push(b.submit(request(2, 2)));
  now = 1025;
  await Promise.all(pending);
  assert.deepEqual(seen, [[5, [25, 15]]]);
  await b.close();
});

test('max_batch_size 0: each request runs alone on its own tensors', { timeout: 5000 }, async () => {
  const seen: NamedTensors[] = [];
  const b = batcher({ maxBatchSize: 0, maxQueueDelayUs: 60_000_000 }, async (inputs) => {
    seen.push(inputs);
    return { y: inputs.x as NamedTensors[string] };
  });
  const requests = [request(1, 4), request(2, 4)];
  const results = await Promise.all(requests.map((r) => b.submit(r)));
  assert.equal(seen.length, 2);
  assert.equal(seen[0], requests[0]?.inputs, 'no copy for an unbatched request');
  assert.equal(results[1]?.y, requests[1]?.inputs.x);
  await b.close();
});

test('submit refuses an invalid priority or an oversized batch before queueing', async () => {
  const b = batcher({ maxBatchSize: 2 }, fakeRun().run);
  await assert.rejects(b.submit(request(1, 1, { priority: 7 })), { code: 'MODELGATE_ERR_INVALID_INPUT', message: /parameters\.priority/ });
  await assert.rejects(b.submit(request(1, 3)), { code: 'MODELGATE_ERR_INVALID_INPUT', message: /exceeds the model's max_batch_size 2/ });
  assert.equal(b.queueLength, 0);
  await b.close();
});
