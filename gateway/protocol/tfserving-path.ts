/**
 * The URL grammar of TF Serving's REST API, parsed by hand: the verb follows a colon
 * (`/v1/models/iris/versions/2:predict`), which router patterns cannot split from the
 * segment before it.
 *
 *   /v1/models/{model}[/versions/{version}|/labels/{label}]             model status (GET)
 *   /v1/models/{model}[/versions/{version}|/labels/{label}]/metadata    model metadata (GET)
 *   /v1/models/{model}[/versions/{version}|/labels/{label}]:{verb}      predict, classify, regress (POST)
 *
 * Model names and labels cannot hold `/` or `:` (repository names and labels are
 * `[A-Za-z0-9_.-]`), so the first colon starts the verb. Segments are kept as written:
 * whether they name a served model, version or label is the registry's business.
 */

export const TFSERVING_PREFIX = '/v1/models/';

export type TfServingTarget =
  | { kind: 'status' | 'metadata'; model: string; version?: string; label?: string }
  | { kind: 'verb'; verb: string; model: string; version?: string; label?: string };

/** The target of a `/v1/models/...` path; undefined when the path is not in the grammar. */
export function parseTfServingPath(path: string): TfServingTarget | undefined {
  if (!path.startsWith(TFSERVING_PREFIX)) return undefined;
  const rest = path.slice(TFSERVING_PREFIX.length);
  const colon = rest.indexOf(':');
  const head = colon < 0 ? rest : rest.slice(0, colon);
  const verb = colon < 0 ? undefined : rest.slice(colon + 1);
  if (verb !== undefined && !/^[A-Za-z]+$/.test(verb)) return undefined;
  const segments = head.split('/');
  if (segments.some((s) => s === '')) return undefined;
  let metadata = false;
  if (segments.length % 2 === 0 && segments[segments.length - 1] === 'metadata') {
    if (verb !== undefined) return undefined;
    metadata = true;
    segments.pop();
  }
  const [model, selector, value] = segments;
  if (model === undefined || segments.length === 2 || segments.length > 3) return undefined;
  const pick: { version?: string; label?: string } = {};
  if (selector === 'versions' && value !== undefined) pick.version = value;
  else if (selector === 'labels' && value !== undefined) pick.label = value;
  else if (selector !== undefined) return undefined;
  if (verb !== undefined) return { kind: 'verb', verb, model, ...pick };
  return { kind: metadata ? 'metadata' : 'status', model, ...pick };
}
