import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * The servers under test, each in its own process so it never shares an event
 * loop (or a core's worth of JIT and GC) with the load generator. Everything
 * listens on 127.0.0.1 only.
 */

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const SAMPLE_REPOSITORY = fileURLToPath(new URL('../models/', import.meta.url));
const HOST = '127.0.0.1';

/** Children still running: killed if the harness exits early (error, Ctrl-C). */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => process.exit(130));
}

interface Line {
  /** performance.now() when the line arrived. */
  at: number;
  text: string;
}

const KEEP_LINES = 400;
/** USER_HZ: 100 on every mainstream Linux build (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;

export class ServerProcess {
  /** performance.now() just before spawn. */
  readonly spawnedAt: number;
  readonly child: ChildProcess;
  private readonly lines: Line[] = [];
  private readonly waiters = new Set<(line: Line) => void>();
  private readonly stderrTail: string[] = [];
  private exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  constructor(readonly name: string, args: readonly string[], public port: number) {
    this.spawnedAt = performance.now();
    this.child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => {
        live.delete(this.child);
        this.exitCode = code;
        resolve(code);
      });
    });
    createInterface({ input: this.child.stdout! }).on('line', (text) => {
      const line = { at: performance.now(), text };
      if (this.lines.length < KEEP_LINES) this.lines.push(line);
      for (const waiter of this.waiters) waiter(line);
    });
    createInterface({ input: this.child.stderr! }).on('line', (text) => {
      this.stderrTail.push(text);
      if (this.stderrTail.length > 30) this.stderrTail.shift();
    });
  }

  get url(): string {
    return `http://${HOST}:${this.port}`;
  }

  /**
   * CPU seconds (user + system, every thread) the process has used so far, from
   * /proc/<pid>/stat; undefined where there is no /proc. 10 ms resolution.
   */
  cpuSeconds(): number | undefined {
    try {
      const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
      // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    } catch {
      return undefined;
    }
  }

  /** The first stdout line containing `needle` (already seen or still to come). */
  async line(needle: string, timeoutMs = 60_000): Promise<Line> {
    const seen = this.lines.find((l) => l.text.includes(needle));
    if (seen) return seen;
    let waiter: ((line: Line) => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        new Promise<Line>((resolve) => {
          waiter = (l) => l.text.includes(needle) && resolve(l);
          this.waiters.add(waiter);
        }),
        this.exited.then((code) => Promise.reject(this.failure(`exited (code ${code}) before printing "${needle}"`))),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(this.failure(`printed no "${needle}" within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      if (waiter) this.waiters.delete(waiter);
      clearTimeout(timer);
    }
  }

  /** Polls `path` until it answers 200; resolves performance.now() of that answer. */
  async until200(path: string, timeoutMs = 60_000, intervalMs = 10): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (this.exitCode !== undefined) throw this.failure(`exited (code ${this.exitCode}) before ${path} answered 200`);
      try {
        const response = await fetch(`${this.url}${path}`);
        await response.arrayBuffer();
        if (response.status === 200) return performance.now();
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    throw this.failure(`${path} did not answer 200 within ${timeoutMs} ms`);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves the seconds from signal to exit. */
  async stop(graceMs = 10_000): Promise<number> {
    const started = performance.now();
    if (this.exitCode === undefined) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    return (performance.now() - started) / 1000;
  }

  private failure(what: string): Error {
    const tail = this.stderrTail.length > 0 ? `\n  stderr: ${this.stderrTail.join('\n  stderr: ')}` : '';
    return new Error(`${this.name} ${what}${tail}`);
  }
}

/** A port that was free a moment ago (the OS picks it; the server binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface GatewaySpawnOptions {
  repository?: string;
  /** `info` prints the `listening` and `startup complete` lines; `warn` keeps the hot path quiet. */
  logLevel?: 'info' | 'warn';
  /** Root of the gateway sources to run (a patched copy, bench/gateway-variants.ts); default: this checkout. */
  root?: string;
  /** Node flags before the script, e.g. `--cpu-prof --cpu-prof-dir D`. */
  nodeFlags?: readonly string[];
  /** Process name in messages. */
  name?: string;
}

/** `node bin/modelgate.js serve …` on a free loopback port; not yet ready when this returns. */
export async function spawnGateway(options: GatewaySpawnOptions = {}): Promise<ServerProcess> {
  const port = await freePort();
  return new ServerProcess(options.name ?? 'gateway', [
    ...(options.nodeFlags ?? []),
    options.root === undefined ? 'bin/modelgate.js' : path.join(options.root, 'bin/modelgate.js'), 'serve',
    '--model-repository', options.repository ?? SAMPLE_REPOSITORY,
    '--port', String(port), '--host', HOST,
    '--log-level', options.logLevel ?? 'warn',
  ], port);
}

export interface BaselineSpawnOptions {
  repository?: string;
  intraOpThreads?: number;
  nodeFlags?: readonly string[];
}

/** The naive baseline (bench/baseline-server.ts); resolves once it printed its port (sessions open). */
export async function spawnBaseline(options: BaselineSpawnOptions = {}): Promise<ServerProcess> {
  const server = new ServerProcess('baseline', [
    ...(options.nodeFlags ?? []),
    '--import', 'tsx', 'bench/baseline-server.ts',
    '--model-repository', options.repository ?? SAMPLE_REPOSITORY,
    '--port', '0', '--host', HOST,
    ...(options.intraOpThreads === undefined ? [] : ['--intra-op-threads', String(options.intraOpThreads)]),
  ], 0);
  const listening = await server.line('"listening"');
  server.port = (JSON.parse(listening.text) as { port: number }).port;
  return server;
}
