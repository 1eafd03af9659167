import { Hono } from 'hono';
import type { RolloutController, Command } from '../rollout/controller.ts';
import type { AuditLog } from '../management/audit-log.ts';
import type { TokenStore } from '../management/tokens.ts';
import { principalOf, requireScope } from '../management/require-scope.ts';
import { readBody } from './body.ts';
import { parseJsonBody } from '../protocol/json-body.ts';
import { GatewayError } from '../errors.ts';

const COMMANDS: readonly Command[] = ['pause', 'resume', 'abort', 'promote'];

/**
 * Rollouts through the management API: `POST /v2/models/{m}/rollout` declares one
 * (the spec as JSON), `GET` shows its state, the last decision and every gate's
 * value and reason, `POST .../rollout/{pause|resume|abort|promote}` steer it.
 * Changes need the `traffic` scope, reads the `read` scope.
 */
export function rolloutRoutes(controller: RolloutController, tokens: TokenStore, audit: AuditLog): Hono {
  const app = new Hono();
  const refused = (error: unknown): never => {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError('MODELGATE_ERR_BAD_REQUEST', (error as Error).message);
  };
  app.get('/v2/models/:model/rollout', requireScope(tokens, 'read', audit, 'rollout status'), (c) => {
    const status = controller.status(c.req.param('model'));
    if (status === undefined) throw new GatewayError('MODELGATE_ERR_NOT_FOUND', `model "${c.req.param('model')}" has no rollout`);
    return c.json({ ...status.state, decision: status.decision ?? null });
  });
  app.post('/v2/models/:model/rollout', requireScope(tokens, 'traffic', audit, 'rollout start'), async (c) => {
    const body = parseJsonBody(await readBody(c, 64 * 1024), { maxDepth: 20 });
    const spec = typeof body === 'object' && body !== null ? { ...body, model: c.req.param('model') } : body;
    const state = await controller.begin(spec, principalOf(c)?.name ?? 'anonymous').catch(refused);
    return c.json(state, 201);
  });
  app.post('/v2/models/:model/rollout/:command', requireScope(tokens, 'traffic', audit, 'rollout command'), async (c) => {
    const command = c.req.param('command') as Command;
    if (!COMMANDS.includes(command)) throw new GatewayError('MODELGATE_ERR_NOT_FOUND', `rollout command: expected one of ${COMMANDS.join(', ')}`);
    const state = await controller.command(c.req.param('model'), command, principalOf(c)?.name ?? 'anonymous').catch(refused);
    return c.json(state);
  });
  return app;
}
