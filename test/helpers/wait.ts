/** Bounded waiting for tests: every wait names what it waits for and ends by a deadline. */

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
}

/** Thrown by an attempt of `waitFor` to end the wait at once (the awaited thing can no longer happen). */
export class StopWaiting extends Error {}

/**
 * Calls `attempt` until it returns a value other than undefined, at most every
 * `intervalMs` and never past `timeoutMs` (then throws, naming `what` and the last
 * error `attempt` threw, if any).
 */
export async function waitFor<T>(what: string, attempt: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const interval = options.intervalMs ?? 100;
  const deadline = Date.now() + options.timeoutMs;
  const maxAttempts = Math.ceil(options.timeoutMs / interval) + 1;
  let lastError: unknown;
  for (let i = 0; i < maxAttempts && Date.now() <= deadline; i++) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
      lastError = undefined;
    } catch (error) {
      if (error instanceof StopWaiting) throw error;
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${cause}`);
}
