import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.ts';

/**
 * Every error leaves as `{"error": message}`. Known errors carry their own
 * status and client-safe message; anything else is logged with its stack and
 * answered with a generic 500, so no internal detail reaches the client.
 */
export function errorResponder(log: Logger) {
  return (error: Error, c: Context): Response => {
    if (error instanceof GatewayError) {
      if (error.status >= 500) log.warn({ code: error.code, path: c.req.path }, error.message);
      return c.json({ error: error.message }, error.status as ContentfulStatusCode);
    }
    log.error({ err: error, path: c.req.path }, 'unhandled error');
    return c.json({ error: 'internal server error' }, 500);
  };
}
