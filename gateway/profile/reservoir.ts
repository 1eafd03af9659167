/**
 * A uniform random sample of at most `capacity` items from a stream of unknown length
 * (reservoir sampling, Vitter's algorithm R), seeded so the same input always gives the
 * same sample. Training files are often sorted (by class, by date); keeping the first N
 * rows would profile one end of them.
 */
export class Reservoir<T> {
  private readonly kept: T[] = [];
  private seen = 0;
  private state: number;

  constructor(readonly capacity: number, seed = 0x9e3779b9) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity: expected an integer ≥ 1, got ${capacity}`);
    this.state = seed >>> 0 || 1;
  }

  /** Items offered so far. */
  get offered(): number {
    return this.seen;
  }

  offer(item: T): void {
    const index = this.seen++;
    if (index < this.capacity) {
      this.kept.push(item);
      return;
    }
    const slot = Math.floor(this.random() * (index + 1));
    if (slot < this.capacity) this.kept[slot] = item;
  }

  /** The sample, in reservoir order (callers that want stream order sort it). */
  items(): T[] {
    return this.kept;
  }

  /** Uniform in [0, 1): a 32-bit xorshift generator (period 2^32 − 1), ample for choosing slots. */
  private random(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 4294967296;
  }
}
