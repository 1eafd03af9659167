import { BinCounts, type BinLayout } from './bin-counts.ts';
import type { BatchSink } from './binner.ts';

/**
 * Sliding windows over flushed batches of bin counts (see `binner.ts`), for the live side of
 * the drift comparison. Two kinds:
 * - count: about the last `size` rows, kept as a ring of `chunks` closed chunks of
 *   ceil(size / chunks) rows plus the open chunk being filled; when the open chunk reaches
 *   its rows it closes and the oldest chunk drops out. A read covers the closed chunks and
 *   the open one: between `size` and `size + chunk` rows once warm (so a window that has
 *   once held `size` rows never falls back below it).
 * - time: the last `seconds`, as a ring of `buckets` closed time buckets of seconds/buckets
 *   plus the open one; a read covers between `seconds` and `seconds + bucket` of traffic.
 *
 * Granularity is the batch: a batch is never split across chunks or buckets (its rows are
 * already aggregated), so a batch larger than a chunk makes that chunk larger.
 * Memory: (chunks + 1) × the BinCounts of one profile section (a few KB).
 */
export type WindowConfig =
  | { kind: 'count'; size: number; chunks?: number }
  | { kind: 'time'; seconds: number; buckets?: number };

export const DEFAULT_WINDOW_CHUNKS = 10;
export const DEFAULT_WINDOW_BUCKETS = 12;

export interface DriftWindow extends BatchSink {
  readonly config: WindowConfig;
  /**
   * The window's current counts: per-feature histograms (`histogram(f)`), data-quality
   * counts and `rows`. The returned object is reused and overwritten by the next read.
   */
  read(): BinCounts;
  clear(): void;
}

/** Milliseconds on a clock that never goes back (performance.now() or Date.now()). */
export type Clock = () => number;

export function createWindow(layout: BinLayout, config: WindowConfig, clock: Clock = Date.now): DriftWindow {
  return config.kind === 'count' ? new CountWindow(layout, config) : new TimeWindow(layout, config, clock);
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${field}: expected an integer ≥ 1, got ${value}`);
  return value;
}

export class CountWindow implements DriftWindow {
  /** Rows at which the open chunk closes. */
  readonly chunkRows: number;
  private readonly ring: BinCounts[];
  private readonly out: BinCounts;
  private open = 0;

  constructor(layout: BinLayout, readonly config: { kind: 'count'; size: number; chunks?: number }) {
    const size = positiveInteger(config.size, 'window.size');
    const chunks = positiveInteger(config.chunks ?? DEFAULT_WINDOW_CHUNKS, 'window.chunks');
    this.chunkRows = Math.ceil(size / chunks);
    this.ring = Array.from({ length: chunks + 1 }, () => new BinCounts(layout));
    this.out = new BinCounts(layout);
  }

  add(batch: BinCounts): void {
    const chunk = this.ring[this.open] as BinCounts;
    chunk.add(batch);
    if (chunk.rows >= this.chunkRows) {
      this.open = (this.open + 1) % this.ring.length;
      (this.ring[this.open] as BinCounts).clear(); // the oldest chunk drops out
    }
  }

  read(): BinCounts {
    this.out.clear();
    for (const chunk of this.ring) this.out.add(chunk);
    return this.out;
  }

  clear(): void {
    for (const chunk of this.ring) chunk.clear();
    this.open = 0;
  }
}

export class TimeWindow implements DriftWindow {
  /** Length of one bucket, ms. */
  readonly bucketMs: number;
  private readonly ring: BinCounts[];
  /** Per slot: the bucket number (floor(now / bucketMs)) its counts belong to; -Infinity = empty. */
  private readonly stamps: Float64Array;
  private readonly out: BinCounts;

  constructor(layout: BinLayout, readonly config: { kind: 'time'; seconds: number; buckets?: number }, private readonly clock: Clock = Date.now) {
    if (!(config.seconds > 0)) throw new RangeError(`window.seconds: expected > 0, got ${config.seconds}`);
    const buckets = positiveInteger(config.buckets ?? DEFAULT_WINDOW_BUCKETS, 'window.buckets');
    this.bucketMs = (config.seconds * 1000) / buckets;
    this.ring = Array.from({ length: buckets + 1 }, () => new BinCounts(layout));
    this.stamps = new Float64Array(buckets + 1).fill(-Infinity);
    this.out = new BinCounts(layout);
  }

  add(batch: BinCounts): void {
    const bucket = Math.floor(this.clock() / this.bucketMs);
    const slot = bucket % this.ring.length;
    const counts = this.ring[slot] as BinCounts;
    if (this.stamps[slot] !== bucket) {
      counts.clear(); // a bucket from an earlier lap of the ring: it has expired
      this.stamps[slot] = bucket;
    }
    counts.add(batch);
  }

  read(): BinCounts {
    const bucket = Math.floor(this.clock() / this.bucketMs);
    const oldest = bucket - this.ring.length + 1;
    this.out.clear();
    this.ring.forEach((counts, slot) => {
      const stamp = this.stamps[slot] as number;
      if (stamp >= oldest && stamp <= bucket) this.out.add(counts);
    });
    return this.out;
  }

  clear(): void {
    for (const counts of this.ring) counts.clear();
    this.stamps.fill(-Infinity);
  }
}
