/**
 * The dynamic batcher's decision as a pure function of (queue, policy, now), with
 * Triton's dynamic-batcher semantics. No timers, no I/O, no mutation: `batcher.ts`
 * is the thin timer-driven shell that keeps the queue and acts on the decision.
 *
 * Units: the policy carries the config's microseconds (`…Us`, as Triton's
 * `max_queue_delay_microseconds`); every time on a queued item, `now` and `wakeAt`
 * are milliseconds on one monotonic clock (performance.now()).
 */

export interface BatchPolicy {
  /**
   * Most rows (dim 0) in one batch. 0 = the model has no batch dimension: requests
   * are never concatenated, each one is dispatched alone, at once.
   * Precondition: no queued item has rows > maxBatchSize (request validation refuses
   * such a request before it is queued; decideBatch would dispatch it alone).
   */
  maxBatchSize: number;
  /** Batch sizes (rows) dispatched at once when exactly reachable; sizes > maxBatchSize are ignored. */
  preferredBatchSizes: number[];
  /** Longest wait (µs) of a batch's oldest item for more items to join; 0 = dispatch what is there. */
  maxQueueDelayUs: number;
  /** Most items held in the queue (batches in flight not counted); 0 = unlimited. */
  maxQueueSize: number;
  /** Longest wait (µs) in the queue before an item is rejected; 0 = none. Requests may only lower it. */
  defaultTimeoutUs: number;
  /** Priorities are 1 (highest) .. priorityLevels; 0 means priorities are off (every item is 1). */
  priorityLevels: number;
  /** Priority of a request that names none (1..max(1, priorityLevels)). */
  defaultPriority: number;
}

export interface QueuedItem {
  /** Batch dimension (dim 0) of this request; ≤ maxBatchSize when maxBatchSize > 0. */
  rows: number;
  /** Non-batch dims + datatypes of all inputs and the requested outputs: only equal keys batch together. */
  shapeKey: string;
  /** 1 = highest, as Triton. */
  priority: number;
  /** ms, monotonic. */
  enqueuedAt: number;
  /** ms, monotonic; Infinity for none. */
  deadline: number;
}

export interface BatchDecision {
  /** Indices (ascending) into the given queue of items whose deadline has passed (deadline ≤ now): reject them. */
  expired: number[];
  /** Indices of the batch to dispatch now, in service order; empty = nothing is ready. Never holds an expired item. */
  dispatch: number[];
  /**
   * When to decide again if nothing happens meanwhile (no arrival, completion, abort), in ms;
   * Infinity = only on the next event. When expired and dispatch are both empty, wakeAt > now.
   * It also covers the deadlines of every queued item, so a caller that cannot dispatch
   * (all workers busy) still rejects expired items on time. Deciding early is always safe.
   */
  wakeAt: number;
}

/** Whether one more item may join a queue that holds `queueLength` (Triton's max_queue_size; 0 = unlimited). */
export function admit(queueLength: number, policy: BatchPolicy): boolean {
  return policy.maxQueueSize === 0 || queueLength < policy.maxQueueSize;
}

/**
 * The rules, in the order they apply:
 *  1. Expiry: an item whose deadline ≤ now is expired; it never joins a batch.
 *  2. Head: service order is priority (1 first), then enqueuedAt (FIFO), then queue index.
 *     The head is the first live item in that order: the oldest of the highest priority.
 *  3. No batching: maxBatchSize 0 dispatches the head alone, at once.
 *  4. Gathering: from the head on, in service order, items with the head's shapeKey join
 *     while the total rows stay ≤ maxBatchSize. Other shapeKeys are skipped (they head a
 *     later batch; Triton instead cuts the batch there). The first compatible item that
 *     does not fit ends the gathering (it is not overtaken by later, smaller ones).
 *  5. Delay: if the oldest gathered item has waited ≥ maxQueueDelayUs, dispatch all gathered.
 *  6. Preferred: otherwise, if a prefix of the gathered items totals exactly a preferred
 *     size, dispatch the longest such prefix (the largest preferred size reachable).
 *  7. Full: otherwise, if the batch cannot usefully grow (total = maxBatchSize, the next
 *     compatible item does not fit, or total ≥ the largest preferred size), dispatch all.
 *  8. Wait: otherwise dispatch nothing; wakeAt = when the oldest gathered item's delay
 *     runs out, or the earliest deadline of any queued item, whichever comes first.
 */
export function decideBatch(queue: readonly QueuedItem[], policy: BatchPolicy, now: number): BatchDecision {
  const expired: number[] = [];
  let nextDeadline = Number.POSITIVE_INFINITY;
  queue.forEach((item, index) => {
    if (item.deadline <= now) expired.push(index);
    else if (item.deadline < nextDeadline) nextDeadline = item.deadline;
  });

  const order = serviceOrder(queue);
  const live = expired.length === 0 ? order : order.filter((i) => (queue[i] as QueuedItem).deadline > now);
  const headIndex = live[0];
  if (headIndex === undefined) return { expired, dispatch: [], wakeAt: nextDeadline };
  if (policy.maxBatchSize === 0) return { expired, dispatch: [headIndex], wakeAt: nextDeadline };

  const head = queue[headIndex] as QueuedItem;
  const gathered: number[] = [];
  const totals: number[] = []; // totals[k] = rows of gathered[0..k]
  let total = 0;
  let oldest = Number.POSITIVE_INFINITY;
  let blocked = false;
  for (const index of live) {
    const item = queue[index] as QueuedItem;
    if (item.shapeKey !== head.shapeKey) continue;
    // The head always joins, even if rows > maxBatchSize breaks the precondition: it runs alone.
    if (gathered.length > 0 && total + item.rows > policy.maxBatchSize) {
      blocked = true;
      break;
    }
    gathered.push(index);
    total += item.rows;
    totals.push(total);
    if (item.enqueuedAt < oldest) oldest = item.enqueuedAt;
    if (total >= policy.maxBatchSize) break;
  }

  const dispatchAll = { expired, dispatch: gathered, wakeAt: nextDeadline };
  const readyAt = oldest + policy.maxQueueDelayUs / 1000;
  if (now >= readyAt) return dispatchAll;

  const preferred = policy.preferredBatchSizes.filter((size) => size > 0 && size <= policy.maxBatchSize);
  const cut = longestPreferredPrefix(totals, preferred);
  if (cut > 0) return { expired, dispatch: gathered.slice(0, cut), wakeAt: nextDeadline };

  const largestPreferred = preferred.length > 0 ? Math.max(...preferred) : policy.maxBatchSize;
  if (blocked || total >= policy.maxBatchSize || total >= largestPreferred) return dispatchAll;

  return { expired, dispatch: [], wakeAt: Math.min(readyAt, nextDeadline) };
}

/** Number of leading gathered items whose total is the largest preferred size reached exactly; 0 if none. */
function longestPreferredPrefix(totals: readonly number[], preferred: readonly number[]): number {
  for (let k = totals.length - 1; k >= 0; k--) {
    if (preferred.includes(totals[k] as number)) return k + 1;
  }
  return 0;
}

/**
 * Queue indices in service order (rule 2). The batcher keeps its queue in this order
 * already, so the common case is one linear check and no sort.
 */
export function serviceOrder(queue: readonly QueuedItem[]): number[] {
  const indices = queue.map((_, index) => index);
  let sorted = true;
  for (let i = 1; i < queue.length && sorted; i++) {
    sorted = compareService(queue[i - 1] as QueuedItem, queue[i] as QueuedItem) <= 0;
  }
  if (sorted) return indices;
  return indices.sort((a, b) => compareService(queue[a] as QueuedItem, queue[b] as QueuedItem) || a - b);
}

/** Negative when `a` is served before `b`: lower priority number first, then earlier arrival. */
export function compareService(a: QueuedItem, b: QueuedItem): number {
  return a.priority - b.priority || a.enqueuedAt - b.enqueuedAt;
}

/**
 * Where `item` goes in a queue already in service order so the queue stays in it: after
 * every item served before or with it (so FIFO among equals). Binary search: O(log n).
 */
export function insertionIndex(queue: readonly QueuedItem[], item: QueuedItem): number {
  let low = 0;
  let high = queue.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareService(queue[mid] as QueuedItem, item) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
