import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { CeilingTarget } from './scenarios.ts';
import type { ConfigResult } from './ort-ceiling.ts';
import { REPO_ROOT } from './processes.ts';

/**
 * bench/ort-ceiling.ts kept running in its own process (`--serve`), so it can take its
 * turn in a scenario's alternation like a server: each `sweep(ms)` runs every layout ×
 * batch size for `ms` and answers their numbers. Between sweeps its threads sleep.
 */
export class CeilingProcess {
  private readonly child: ChildProcess;
  private readonly lines: AsyncIterator<string>;
  private stderr = '';

  private constructor(target: CeilingTarget) {
    this.child = spawn(process.execPath, [
      '--import', 'tsx', 'bench/ort-ceiling.ts', '--serve',
      '--model', target.model, '--input', target.input,
      '--row-shape', target.rowShape.join(','), '--batches', target.batches.join(','),
    ], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    this.lines = createInterface({ input: this.child.stdout! })[Symbol.asyncIterator]();
  }

  static async start(target: CeilingTarget): Promise<CeilingProcess> {
    const p = new CeilingProcess(target);
    await p.next();
    return p;
  }

  private async next(): Promise<string> {
    const { value, done } = await this.lines.next();
    if (done) throw new Error(`bench/ort-ceiling.ts exited: ${this.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    return value as string;
  }

  /** Every configuration for `ms` each; the first call also warms each one up. */
  async sweep(ms: number): Promise<ConfigResult[]> {
    this.child.stdin!.write(`${JSON.stringify({ ms })}\n`);
    return (JSON.parse(await this.next()) as { results: ConfigResult[] }).results;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
