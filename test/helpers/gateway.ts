import { Gateway } from '../../gateway/server.ts';
import { parseServerOptions } from '../../gateway/options.ts';
import { createLogger } from '../../gateway/logger.ts';

export const SAMPLE_REPOSITORY = new URL('../../models/', import.meta.url).pathname;
export const FIXTURE_REPOSITORY = new URL('../fixtures/models/', import.meta.url).pathname;

export interface RunningGateway {
  gateway: Gateway;
  url: string;
  close(): Promise<void>;
}

/** A real gateway on a loopback port chosen by the OS, fully loaded. */
export async function startGateway(options: Record<string, unknown>): Promise<RunningGateway> {
  const gateway = new Gateway(
    parseServerOptions({ host: '127.0.0.1', port: 0, logLevel: 'silent', gracePeriodSeconds: 5, ...options }),
    createLogger(process.env.MODELGATE_TEST_LOG_LEVEL ?? 'silent'),
  );
  await gateway.start();
  return {
    gateway,
    url: `http://127.0.0.1:${gateway.port}`,
    close: async () => {
      await gateway.shutdown();
    },
  };
}

/** POSTs a JSON body (object or raw text) and returns status and parsed body. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body) : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text };
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}
