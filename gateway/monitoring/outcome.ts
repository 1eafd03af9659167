import { GatewayError } from '../errors.ts';

/**
 * How an inference request ended, as counted by `modelgate_inference_requests_total`.
 * A fixed, small set: it is a label value.
 */
export const OUTCOMES = ['success', 'client_error', 'rejected', 'timeout', 'runtime_error', 'client_closed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The outcome of a request that threw `error` (undefined: it succeeded). */
export function outcomeOf(error: unknown): Outcome {
  if (error === undefined) return 'success';
  if (!(error instanceof GatewayError)) return 'runtime_error';
  switch (error.code) {
    case 'MODELGATE_ERR_QUEUE_FULL':
    case 'MODELGATE_ERR_SHUTTING_DOWN':
    case 'MODELGATE_ERR_MODEL_NOT_READY':
      return 'rejected';
    case 'MODELGATE_ERR_TIMEOUT':
      return 'timeout';
    case 'MODELGATE_ERR_CLIENT_CLOSED':
      return 'client_closed';
    default:
      return error.status >= 500 ? 'runtime_error' : 'client_error';
  }
}
