import type { Context } from 'hono';
import type { ServerResponse } from 'node:http';
import type { Cancellation } from '../scheduler/batcher.ts';

/**
 * The client's disconnect for the batcher: cancelled when the Node response closes before it
 * finished (the client went away). Read from `c.env.outgoing`, which @hono/node-server hands
 * to handlers as is. Deliberately not `c.req.raw.signal`: that getter makes @hono/node-server
 * build an AbortController and AbortSignal per request, ≈ 3–4 µs of main-thread time out of
 * ≈ 64 µs per request at c=128 (bench/RESULTS.md), only for the rare disconnect. Outside the
 * Node server (e.g. `app.request()` in tests) there is no response to watch: undefined.
 */
export function disconnection(c: Context): Cancellation | undefined {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  return outgoing === undefined ? undefined : new ResponseClose(outgoing);
}

class ResponseClose implements Cancellation {
  constructor(private readonly outgoing: ServerResponse) {}

  get cancelled(): boolean {
    return this.outgoing.destroyed && !this.outgoing.writableFinished;
  }

  onCancel(callback: () => void): () => void {
    const outgoing = this.outgoing;
    const onClose = (): void => {
      if (!outgoing.writableFinished) callback();
    };
    outgoing.on('close', onClose);
    return () => outgoing.off('close', onClose);
  }
}
