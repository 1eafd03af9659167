import { GatewayError } from '../errors.ts';

/**
 * The errors a request meets in the scheduler queue. Messages are client-safe and
 * say what happened to the request; `label` (e.g. `model "iris" version 1`) is
 * prefixed when the batcher was given one.
 */

function prefixed(label: string | undefined, message: string): string {
  return label === undefined ? message : `${label}: ${message}`;
}

/** 503: the queue holds max_queue_size requests already (Triton's max_queue_size). */
export function queueFull(maxQueueSize: number, label?: string): GatewayError {
  return new GatewayError(
    'MODELGATE_ERR_QUEUE_FULL',
    prefixed(label, `the request queue is full (max_queue_size ${maxQueueSize}); the request was not queued, retry later`),
  );
}

/** 504: the request's deadline passed while it was still queued; it never ran. */
export function queueTimeout(timeoutUs: number, label?: string): GatewayError {
  return new GatewayError(
    'MODELGATE_ERR_TIMEOUT',
    prefixed(label, `the request waited in the queue past its timeout of ${timeoutUs} µs and was not run`),
  );
}

/** 503: the batcher is closed (server shutting down or version unloading); the request never ran. */
export function shuttingDown(label?: string): GatewayError {
  return new GatewayError(
    'MODELGATE_ERR_SHUTTING_DOWN',
    prefixed(label, 'the model is shutting down; the request was not run (retry it)'),
  );
}

/**
 * 499: the client went away (its connection closed) while the request was queued;
 * the request was removed from the queue and never ran. Counted apart from
 * runtime failures and server errors.
 */
export function clientGone(label?: string): GatewayError {
  return new GatewayError(
    'MODELGATE_ERR_CLIENT_CLOSED',
    prefixed(label, 'the client closed the connection while the request was queued; it was removed from the queue and not run'),
  );
}
