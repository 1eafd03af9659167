import assert from 'node:assert/strict';
import { GatewayError, type ErrorCode } from '../../gateway/errors.ts';

/**
 * Asserts that `fn` throws the GatewayError a client would see: its code, status
 * and message (exact text or a pattern), with no stack, file or parser internals in it.
 */
export function assertRefused(fn: () => unknown, code: ErrorCode, message: string | RegExp, status = 400): GatewayError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof GatewayError, `expected a GatewayError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.status, status, caught.message);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else assert.match(caught.message, message);
  assert.doesNotMatch(caught.message, /SyntaxError|JSON\.parse|\.ts\b|node:|file:|\n\s+at /);
  return caught;
}
