import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ChildService } from './child-service.ts';

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
function renderNginxConfig(template: string, listen: string, upstreams: readonly string[]): string {
  if (upstreams.length !== TEMPLATE_UPSTREAMS.length) throw new Error(`the template balances ${TEMPLATE_UPSTREAMS.length} replicas, got ${upstreams.length}`);
  const replace = (text: string, from: string, to: string) => {
    if (text.split(from).length !== 2) throw new Error(`${NGINX_TEMPLATE}: expected "${from}" exactly once`);
    return text.replace(from, to);
  };
  let config = replace(template, TEMPLATE_LISTEN, `listen ${listen};`);
  TEMPLATE_UPSTREAMS.forEach((line, i) => (config = replace(config, line, `server ${upstreams[i]};`)));
  return config;
}

export class RunningNginx {
  private constructor(private readonly service: ChildService) {}

  /** Starts nginx in front of `upstreams` (`host:port` each) and resolves once it proxies (bounded). */
  static async start(upstreams: readonly string[]): Promise<RunningNginx> {
    const binary = nginxBinary();
    if (binary === undefined) throw new Error(NGINX_MISSING);
    const template = readFileSync(NGINX_TEMPLATE, 'utf8');
    const service = await ChildService.start({
      name: 'nginx',
      command: (port, dir) => {
        // Started as root, nginx runs its worker as `nobody`, which must reach the temp paths.
        chmodSync(dir, 0o755);
        const configFile = path.join(dir, 'nginx.conf');
        writeFileSync(configFile, renderNginxConfig(template, `127.0.0.1:${port}`, upstreams));
        return { file: binary, args: ['-p', dir, '-e', 'stderr', '-c', configFile] };
      },
      port: { free: /address already in use/i },
      // Ready once it proxies to a replica.
      readyPath: '/v2/health/ready',
      readyTimeoutMs: 15_000,
      killAfterMs: 10_000,
    });
    return new RunningNginx(service);
  }

  get url(): string {
    return this.service.url;
  }

  /** The last 64 KiB of nginx's stderr (the error log). */
  log(): string {
    return this.service.log();
  }

  /** Every request nginx has logged so far (nginx writes each line when the request ends). */
  accessLog(): AccessLogEntry[] {
    const file = path.join(this.service.dir, 'access.log');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').map((line) => {
      const match = /^\S+ (\d{3}) "([^"]*)" "[^"]*" \S+ "[^"]*" "(.*)"$/.exec(line);
      if (match === null) throw new Error(`unexpected access log line: ${line}`);
      return { status: Number(match[1]), upstreams: match[2]!.split(', '), request: match[3]! };
    });
  }

  /** SIGTERM (fast shutdown), wait for the exit (SIGKILL after 10 s), then remove the temp dir. */
  stop(): Promise<void> {
    return this.service.stop();
  }
}

export const startNginx = (upstreams: readonly string[]): Promise<RunningNginx> => RunningNginx.start(upstreams);
