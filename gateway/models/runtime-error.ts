import { GatewayError } from '../errors.ts';

/**
 * Turns a failure from a worker into a client-safe 500. Runtime messages are
 * useful (ORT names the node and the shapes) but can embed source paths of the
 * runtime's build or the model file: those are cut out.
 */
export function runtimeFailure(model: string, version: number, error: unknown): GatewayError {
  const raw = error instanceof Error ? error.message : String(error);
  if (/worker exited|terminated/i.test(raw)) {
    return new GatewayError(
      'MODELGATE_ERR_RUNTIME',
      `model "${model}" version ${version}: the worker running this request stopped unexpectedly; the request was not completed (retry it)`,
    );
  }
  return new GatewayError('MODELGATE_ERR_RUNTIME', `model "${model}" version ${version} failed to run: ${sanitize(raw)}`);
}

const PATH = /(^|[\s('"=])(?:[A-Za-z]:)?[\\/](?:[^\s:'"]+[\\/])*[^\s:'"]*(?::\d+)*/g;

export function sanitize(message: string): string {
  const cleaned = message.replace(PATH, '$1<internal>').replace(/\s+/g, ' ').trim();
  return cleaned.length > 400 ? `${cleaned.slice(0, 400)}…` : cleaned;
}
