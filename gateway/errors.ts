/**
 * The catalogue of errors the gateway returns, each with a stable code and an
 * HTTP status (the fastify / piscina habit: one table, codes never change meaning).
 *
 * A message is shown to the client as `{"error": message}`: it names the field and
 * the expectation, and never carries a file path, a stack or an internal detail.
 */
export const ERROR_CODES = {
  MODELGATE_ERR_BAD_REQUEST: 400,
  MODELGATE_ERR_MALFORMED_JSON: 400,
  MODELGATE_ERR_JSON_TOO_DEEP: 400,
  MODELGATE_ERR_INVALID_INPUT: 400,
  MODELGATE_ERR_UNAUTHORIZED: 401,
  MODELGATE_ERR_FORBIDDEN: 403,
  MODELGATE_ERR_MODEL_NOT_FOUND: 404,
  MODELGATE_ERR_VERSION_NOT_FOUND: 404,
  MODELGATE_ERR_NOT_FOUND: 404,
  MODELGATE_ERR_METHOD_NOT_ALLOWED: 405,
  MODELGATE_ERR_BODY_TOO_LARGE: 413,
  MODELGATE_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  /** nginx's "client closed request": nobody reads it; it is for logs and metrics. */
  MODELGATE_ERR_CLIENT_CLOSED: 499,
  MODELGATE_ERR_RUNTIME: 500,
  MODELGATE_ERR_INTERNAL: 500,
  MODELGATE_ERR_MODEL_NOT_READY: 503,
  MODELGATE_ERR_QUEUE_FULL: 503,
  MODELGATE_ERR_SHUTTING_DOWN: 503,
  MODELGATE_ERR_TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export type ErrorStatus = (typeof ERROR_CODES)[ErrorCode];

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: ErrorStatus;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'GatewayError';
    this.code = code;
    this.status = ERROR_CODES[code];
  }
}

/** Shorthand for the common case: a 400 about one field of the request. */
export function invalidInput(message: string): GatewayError {
  return new GatewayError('MODELGATE_ERR_INVALID_INPUT', message);
}
