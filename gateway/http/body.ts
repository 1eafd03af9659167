import type { Context } from 'hono';
import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors.ts';

/**
 * Reads a request body into one Buffer, refusing more than `maxBytes`.
 * A declared Content-Length over the limit is refused before a byte is read; a
 * body that grows past it while streaming is cut off at the limit. Under the
 * Node server the raw stream is read directly (no Web-stream conversion).
 */
export async function readBody(c: Context, maxBytes: number): Promise<Buffer> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming === undefined) {
    const body = Buffer.from(await c.req.arrayBuffer());
    if (body.length > maxBytes) throw tooLarge(maxBytes);
    return body;
  }
  return readStream(incoming, maxBytes);
}

function readStream(incoming: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        // Stop reading; the rest of the body is discarded as the connection closes.
        incoming.pause();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (): void => {
      cleanup();
      reject(new GatewayError('MODELGATE_ERR_BAD_REQUEST', 'the request body could not be read (connection error)'));
    };
    const onAborted = onError;
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('aborted', onAborted);
  });
}

function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError('MODELGATE_ERR_BODY_TOO_LARGE', `request body: expected at most ${maxBytes} bytes (--max-body-bytes)`);
}
