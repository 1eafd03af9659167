import type { Context, MiddlewareHandler } from 'hono';
import { GatewayError } from '../errors.ts';
import type { AuditLog } from './audit-log.ts';
import type { Principal, Scope, TokenStore } from './tokens.ts';

/**
 * A hono middleware that admits a request only with `Authorization: Bearer <token>`
 * of a token holding `scope`. Without configured tokens the guarded routes are
 * disabled (403), so a default start exposes no control plane. Refusals are audited.
 */
export function requireScope(tokens: TokenStore, scope: Scope, audit: AuditLog | undefined, action: string): MiddlewareHandler {
  return async (c, next) => {
    const deny = (who: string, error: GatewayError): never => {
      audit?.record({ who, action, model: c.req.param('model'), result: 'denied', detail: error.message, remote: remoteOf(c) });
      if (error.status === 401) c.header('www-authenticate', 'Bearer');
      throw error;
    };
    if (!tokens.configured) {
      deny('anonymous', new GatewayError('MODELGATE_ERR_FORBIDDEN', `${action} is disabled: the server was started without --management-tokens`));
    }
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer ([^\s]{1,512})$/i.exec(header);
    if (match === null) deny('anonymous', new GatewayError('MODELGATE_ERR_UNAUTHORIZED', 'Authorization: expected "Bearer <token>"'));
    const principal = tokens.authenticate(match![1]!);
    if (principal === undefined) deny('unknown', new GatewayError('MODELGATE_ERR_UNAUTHORIZED', 'Authorization: the token is not valid'));
    if (!principal!.scopes.has(scope)) {
      deny(principal!.name, new GatewayError('MODELGATE_ERR_FORBIDDEN', `token "${principal!.name}" lacks the "${scope}" scope needed for ${action}`));
    }
    c.set('principal' as never, principal as never);
    await next();
  };
}

export function principalOf(c: Context): Principal | undefined {
  return c.get('principal' as never) as Principal | undefined;
}

export function remoteOf(c: Context): string | undefined {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress;
}
