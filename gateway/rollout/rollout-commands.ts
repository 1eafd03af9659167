import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { createLogger } from '../logger.ts';
import { AuditLog } from '../management/audit-log.ts';
import { writeFileAtomic } from '../repository/atomic-write.ts';
import { isValidModelName } from '../repository/paths.ts';
import { parseYamlOrJson } from './spec-file.ts';
import { RolloutController, ROLLOUT_STATE, type Command as RolloutCommand } from './controller.ts';
import { prometheusEnvironment } from './prometheus-environment.ts';
import { parseRolloutSpec } from './rollout-spec.ts';
import { parseRolloutState } from './rollout-state.ts';
import { abort, pause, promoteNow, resume, startRollout } from './transitions.ts';
import { ControllerMetricsServer } from './controller-metrics-server.ts';

/** Where the controller's /metrics listens unless told otherwise (Triton's metrics port). */
const DEFAULT_CONTROLLER_METRICS_PORT = 8002;

/**
 * The scale-out side of rollouts, for several replicas behind a Service:
 * - `modelgate rollout-controller --prometheus-url URL`: ONE process runs the
 *   same decide() as a gateway, reading the fleet's metrics from Prometheus and
 *   writing `<model>/traffic.yaml`, which every replica (serving with
 *   `--rollout-controller external`) watches;
 * - `modelgate rollout start|pause|resume|abort|promote|status`: declare and steer a
 *   rollout through its `<model>/rollout.json` in the shared repository.
 */
export function registerRolloutCommands(program: Command, flag: (flags: string, description: string, env: string) => import('commander').Option): void {
  program
    .command('rollout-controller')
    .description('decide every rollout of a repository from Prometheus metrics (one per fleet)')
    .addOption(flag('--model-repository <dir>', 'model repository directory (default ./models)', 'MODELGATE_MODEL_REPOSITORY'))
    .requiredOption('--prometheus-url <url>', 'Prometheus that scrapes every replica, e.g. http://prometheus:9090')
    .option('--tick-seconds <s>', 'how often to decide (default 15)', '15')
    .option('--audit-log <file>', 'append transitions to this JSON-lines file')
    .addOption(flag('--metrics-host <host>', 'address of the /metrics and /healthz listener (default 0.0.0.0)', 'MODELGATE_ROLLOUT_METRICS_HOST'))
    .addOption(flag('--metrics-port <port>', 'port of the /metrics and /healthz listener; 0 picks one (default 8002)', 'MODELGATE_ROLLOUT_METRICS_PORT'))
    .action(async (flags: { modelRepository?: string; prometheusUrl: string; tickSeconds: string; auditLog?: string; metricsHost?: string; metricsPort?: string }) => {
      const seconds = Number(flags.tickSeconds);
      const port = Number(flags.metricsPort ?? DEFAULT_CONTROLLER_METRICS_PORT);
      if (!(seconds > 0)) return usageError(`--tick-seconds: expected a positive number of seconds, got "${flags.tickSeconds}"`);
      if (!Number.isInteger(port) || port < 0 || port > 65535) return usageError(`--metrics-port: expected a port 0-65535, got "${flags.metricsPort}"`);
      const log = createLogger('info');
      const root = flags.modelRepository ?? './models';
      const controller = new RolloutController(prometheusEnvironment(flags.prometheusUrl, root), new AuditLog(flags.auditLog, log), log);
      await controller.start(0);
      const metrics = await ControllerMetricsServer.start(controller, flags.metricsHost ?? '0.0.0.0', port);
      const tick = async (): Promise<void> => {
        await controller.reload();
        await controller.tick(Date.now()).catch((error: Error) => log.error({ reason: error.message }, 'rollout tick failed'));
      };
      const timer = setInterval(() => void tick(), seconds * 1000);
      const stop = async (signal: string): Promise<void> => {
        log.info({ signal }, 'rollout controller stopping');
        clearInterval(timer);
        controller.stop();
        await metrics.close();
        process.exit(0);
      };
      process.once('SIGTERM', (s) => void stop(s));
      process.once('SIGINT', (s) => void stop(s));
      log.info({ prometheus: flags.prometheusUrl, repository: root, seconds, metricsPort: metrics.port }, 'rollout controller running');
    });

  const steer = (name: string, description: string) =>
    program
      .command(`rollout-${name}`)
      .description(description)
      .addOption(flag('--model-repository <dir>', 'model repository directory (default ./models)', 'MODELGATE_MODEL_REPOSITORY'))
      .requiredOption('--model <name>', 'model name');

  steer('start', 'declare a rollout from a spec file (YAML or JSON); the controller takes it from there')
    .requiredOption('--spec <file>', 'rollout spec: baseline, candidate, steps, interval_seconds, min_samples, gates, shadow')
    .action(async (flags: { modelRepository?: string; model: string; spec: string }) => {
      const file = stateFile(flags);
      const raw = parseYamlOrJson(await readFile(flags.spec, 'utf8'), flags.spec);
      const spec = parseRolloutSpec({ ...(raw as object), model: flags.model }, flags.spec);
      await writeFileAtomic(file, JSON.stringify(startRollout(spec, Date.now(), 'started from the command line'), null, 2));
      process.stdout.write(`rollout of ${flags.model} ${spec.baseline} → ${spec.candidate} declared in ${path.basename(file)}\n`);
    });
  const transitions: Record<RolloutCommand, typeof pause> = { pause, resume, abort, promote: promoteNow };
  for (const command of Object.keys(transitions) as RolloutCommand[]) {
    steer(command, `${command} the model's rollout`).action(async (flags: { modelRepository?: string; model: string }) => {
      const file = stateFile(flags);
      const state = parseRolloutState(JSON.parse(await readFile(file, 'utf8')), path.basename(file));
      const next = transitions[command](state, Date.now(), `${command} from the command line`);
      await writeFileAtomic(file, JSON.stringify(next, null, 2));
      process.stdout.write(`${flags.model}: ${next.status}, step ${next.step}, candidate weight ${next.weight} %\n`);
    });
  }
  steer('status', 'print the model\'s rollout state and history').action(async (flags: { modelRepository?: string; model: string }) => {
    const state = parseRolloutState(JSON.parse(await readFile(stateFile(flags), 'utf8')), ROLLOUT_STATE);
    process.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
  });
}

function stateFile(flags: { modelRepository?: string; model: string }): string {
  if (!isValidModelName(flags.model)) throw new Error(`--model: expected a model name of [A-Za-z0-9_.-], got "${flags.model}"`);
  return path.join(flags.modelRepository ?? './models', flags.model, ROLLOUT_STATE);
}

function usageError(message: string): void {
  process.stderr.write(`modelgate: ${message}\n`);
  process.exit(2);
}
