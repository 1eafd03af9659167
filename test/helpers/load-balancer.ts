import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, StopWaiting, waitFor } from './prometheus.ts';

/**
 * A real nginx (Debian's `nginx` package) balancing loopback replicas, run unprivileged in
 * the foreground: `nginx -p <temp dir> -c <config>`, pid, access log and temp paths in the
 * temp dir. The config is deploy/scale-out/nginx.conf with the ports rewritten, so the file
 * users run by hand is the one tested.
 */

export const NGINX_MISSING = 'nginx not installed: apt-get install --no-install-recommends nginx';
export const NGINX_TEMPLATE = new URL('../../deploy/scale-out/nginx.conf', import.meta.url).pathname;

/** The template's fixed addresses, replaced by the test's. */
const TEMPLATE_LISTEN = 'listen 127.0.0.1:8080;';
const TEMPLATE_UPSTREAMS = ['server 127.0.0.1:8001;', 'server 127.0.0.1:8002;', 'server 127.0.0.1:8003;'];

/** nginx from PATH, else /usr/sbin (not on a non-root user's PATH on Debian); undefined when absent. */
export function nginxBinary(): string | undefined {
  for (const candidate of ['nginx', '/usr/sbin/nginx']) {
    if (spawnSync(candidate, ['-v'], { stdio: 'ignore', timeout: 10_000 }).error === undefined) return candidate;
  }
  return undefined;
}

/** One access-log line (see `log_format modelgate` in the template). */
export interface AccessLogEntry {
  status: number;
  /** Every upstream tried, in order ("a, b" in the log); one when nothing was retried. */
  upstreams: string[];
  request: string;
}

/** The template with its listen address and three upstreams replaced; throws if the template changed shape. */
export function renderNginxConfig(template: string, listen: string, upstreams: readonly string[]): string {
  if (upstreams.length !== TEMPLATE_UPSTREAMS.length) throw new Error(`the template balances ${TEMPLATE_UPSTREAMS.length} replicas, got ${upstreams.length}`);
  const replace = (text: string, from: string, to: string) => {
    if (text.split(from).length !== 2) throw new Error(`${NGINX_TEMPLATE}: expected "${from}" exactly once`);
    return text.replace(from, to);
  };
  let config = replace(template, TEMPLATE_LISTEN, `listen ${listen};`);
  TEMPLATE_UPSTREAMS.forEach((line, i) => (config = replace(config, line, `server ${upstreams[i]};`)));
  return config;
}

const LOG_LIMIT = 64 * 1024;

export class RunningNginx {
  private output = '';

  private constructor(readonly url: string, private readonly child: ChildProcess, private readonly dir: string) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-LOG_LIMIT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Starts nginx in front of `upstreams` (`host:port` each) and resolves once it proxies (bounded). */
  static async start(upstreams: readonly string[], options: { healthPath?: string } = {}): Promise<RunningNginx> {
    const binary = nginxBinary();
    if (binary === undefined) throw new Error(NGINX_MISSING);
    const dir = mkdtempSync(path.join(tmpdir(), 'modelgate-nginx-'));
    // Started as root, nginx runs its worker as `nobody`, which must reach the temp paths.
    chmodSync(dir, 0o755);
    const template = readFileSync(NGINX_TEMPLATE, 'utf8');
    let failure = '';
    // The port is released before nginx binds it; on a clash nginx exits at once: try another.
    for (let tries = 0; tries < 3; tries++) {
      const port = await freePort();
      const configFile = path.join(dir, 'nginx.conf');
      writeFileSync(configFile, renderNginxConfig(template, `127.0.0.1:${port}`, upstreams));
      const child = spawn(binary, ['-p', dir, '-e', 'stderr', '-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      const nginx = new RunningNginx(`http://127.0.0.1:${port}`, child, dir);
      try {
        await waitFor('nginx to proxy', async () => {
          if (child.exitCode !== null || child.signalCode !== null) throw new StopWaiting(`nginx exited (${child.exitCode ?? child.signalCode})`);
          const response = await fetch(`${nginx.url}${options.healthPath ?? '/v2/health/ready'}`, { signal: AbortSignal.timeout(2_000) });
          await response.arrayBuffer();
          return response.status === 200 ? true : undefined;
        }, { timeoutMs: 15_000, intervalMs: 100 });
        return nginx;
      } catch (error) {
        failure = `${error instanceof Error ? error.message : String(error)}\n${nginx.log()}`;
        await nginx.stopProcess();
        if (!/Address already in use/.test(nginx.log())) break;
      }
    }
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`nginx did not start: ${failure}`);
  }

  /** The last 64 KiB of nginx's stderr (the error log). */
  log(): string {
    return this.output;
  }

  /** Every request nginx has logged so far (nginx writes each line when the request ends). */
  accessLog(): AccessLogEntry[] {
    const file = path.join(this.dir, 'access.log');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').map((line) => {
      const match = /^\S+ (\d{3}) "([^"]*)" "[^"]*" \S+ "[^"]*" "(.*)"$/.exec(line);
      if (match === null) throw new Error(`unexpected access log line: ${line}`);
      return { status: Number(match[1]), upstreams: match[2]!.split(', '), request: match[3]! };
    });
  }

  /** SIGTERM (fast shutdown), wait for the exit (SIGKILL after 10 s), then remove the temp dir. */
  async stop(): Promise<void> {
    await this.stopProcess();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async stopProcess(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

export const startNginx = (upstreams: readonly string[]): Promise<RunningNginx> => RunningNginx.start(upstreams);
