/**
 * The last `capacity` requests of one version: when each ended, how long it
 * took and whether it failed on the server's side. Fixed typed-array rings:
 * one write per request, no allocation. Read by the rollout controller, which
 * compares candidate and baseline over the same window.
 */
export class RequestLog {
  private readonly at: Float64Array;
  private readonly seconds: Float64Array;
  private readonly failed: Uint8Array;
  private next = 0;
  private size = 0;

  constructor(readonly capacity = 20_000) {
    this.at = new Float64Array(capacity);
    this.seconds = new Float64Array(capacity);
    this.failed = new Uint8Array(capacity);
  }

  /** `endedAt` in ms (Date.now()), `seconds` the request's duration, `failed` a server-side failure. */
  record(endedAt: number, seconds: number, failed: boolean): void {
    this.at[this.next] = endedAt;
    this.seconds[this.next] = seconds;
    this.failed[this.next] = failed ? 1 : 0;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size += 1;
  }

  /** Requests that ended at or after `since` (ms): counts and their latencies in seconds. */
  since(since: number): { requests: number; errors: number; latencies: number[] } {
    const latencies: number[] = [];
    let errors = 0;
    for (let k = 0; k < this.size; k += 1) {
      const i = (this.next - 1 - k + this.capacity) % this.capacity;
      if (this.at[i]! < since) break; // entries are in time order, newest first here
      latencies.push(this.seconds[i]!);
      errors += this.failed[i]!;
    }
    return { requests: latencies.length, errors, latencies };
  }
}
