import { Command, Option } from 'commander';
import { parseServerOptions } from './options.ts';
import { createLogger } from './logger.ts';
import { Gateway } from './server.ts';
import { SERVER_VERSION } from './version.ts';
import { registerRolloutCommands } from './rollout/rollout-commands.ts';
import { collect, runProfileCommand } from './profile/profile-command.ts';
import { runVerifyCommand } from './verify/verify-command.ts';

/**
 * `modelgate serve [--model-repository DIR] [--host H] [--port P] …`.
 * Every flag can also be given as MODELGATE_<FLAG> (e.g. MODELGATE_PORT); a flag wins over its variable.
 */
const program = new Command('modelgate').version(SERVER_VERSION).description('Model-serving gateway (KServe v2 over HTTP)')
  // `modelgate --version` is the program's; after a subcommand, options are the subcommand's (`profile --version 2`).
  .enablePositionalOptions();

const flag = (flags: string, description: string, env: string): Option => new Option(flags, description).env(env);

program
  .command('serve')
  .description('serve the models of a repository')
  .addOption(flag('--model-repository <dir>', 'model repository directory (default ./models)', 'MODELGATE_MODEL_REPOSITORY'))
  .addOption(flag('--host <host>', 'address to listen on (default 0.0.0.0)', 'MODELGATE_HOST'))
  .addOption(flag('--port <port>', 'port to listen on (default 8000)', 'MODELGATE_PORT'))
  .addOption(flag('--max-body-bytes <n>', 'largest request body accepted (default 64 MiB)', 'MODELGATE_MAX_BODY_BYTES'))
  .addOption(flag('--max-json-depth <n>', 'deepest JSON nesting accepted (default 100)', 'MODELGATE_MAX_JSON_DEPTH'))
  .addOption(flag('--grace-period-seconds <s>', 'how long shutdown waits for in-flight requests (default 30)', 'MODELGATE_GRACE_PERIOD_SECONDS'))
  .addOption(flag('--strict-readiness <bool>', 'ready only when every model loaded (default true)', 'MODELGATE_STRICT_READINESS'))
  .addOption(flag('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (default info)', 'MODELGATE_LOG_LEVEL'))
  .addOption(flag('--management-tokens <file>', 'YAML/JSON tokens file; without it the management API is disabled', 'MODELGATE_MANAGEMENT_TOKENS'))
  .addOption(flag('--audit-log <file>', 'append management actions to this JSON-lines file', 'MODELGATE_AUDIT_LOG'))
  .addOption(flag('--inference-auth <bool>', 'require a token with the infer scope for inference (default false)', 'MODELGATE_INFERENCE_AUTH'))
  .addOption(flag('--model-control-mode <mode>', 'none | explicit | poll (default none)', 'MODELGATE_MODEL_CONTROL_MODE'))
  .addOption(flag('--load-model <name...>', 'models to load at start in explicit mode', 'MODELGATE_LOAD_MODEL'))
  .addOption(flag('--repository-poll-seconds <s>', 'poll interval in poll mode (default 15)', 'MODELGATE_REPOSITORY_POLL_SECONDS'))
  .addOption(flag('--rollout-tick-seconds <s>', 'how often the rollout controller decides (default 5)', 'MODELGATE_ROLLOUT_TICK_SECONDS'))
  .addOption(flag('--rollout-controller <where>', 'in-process (default) | external (modelgate rollout-controller decides)', 'MODELGATE_ROLLOUT_CONTROLLER'))
  .action(async (flags: Record<string, unknown>) => {
    let options;
    try {
      options = parseServerOptions(flags);
    } catch (error) {
      process.stderr.write(`modelgate: ${(error as Error).message}\n`);
      process.exit(2);
    }
    const log = createLogger(options.logLevel);
    const gateway = new Gateway(options, log);
    const stop = async (signal: string): Promise<void> => {
      log.info({ signal }, 'shutdown requested');
      const { forced } = await gateway.shutdown();
      process.exit(forced ? 1 : 0);
    };
    process.once('SIGTERM', (s) => void stop(s));
    process.once('SIGINT', (s) => void stop(s));
    try {
      await gateway.start();
    } catch (error) {
      log.fatal({ err: error }, 'failed to start');
      process.exit(1);
    }
  });

/**
 * `modelgate profile --model M --version V --data FILE …`: writes <repo>/M/V/reference.json,
 * the reference profile drift is measured against (see gateway/profile/). Bad flags, data
 * or model exit with status 2 and write nothing.
 */
program
  .command('profile')
  .description('profile a sample of training data (and the model\'s outputs on it) into <repo>/<model>/<version>/reference.json')
  .addOption(flag('--model-repository <dir>', 'model repository directory (default ./models)', 'MODELGATE_MODEL_REPOSITORY'))
  .requiredOption('--model <name>', 'model name')
  .requiredOption('--version <n>', 'model version')
  .requiredOption('--data <file>', 'training data sample: CSV with a header row, or JSON lines (one object per line)')
  .option('--format <format>', 'csv | jsonl (default: from the extension: .csv; .jsonl, .ndjson)')
  .option('--map <tensor=columns>', 'data columns of a model input, in tensor column order (repeatable): input=c1,c2,c3,c4 or species=species', collect)
  .option('--categorical <names>', 'features (or outputs) to profile as categories (comma-separated, repeatable)', collect)
  .option('--numeric <names>', 'features (or outputs) to profile as numeric bins (comma-separated, repeatable)', collect)
  .option('--outputs <names>', 'outputs to profile, exactly these (default: every [batch] and [batch, 1] output); a [batch, k] output gives k features name[i]', collect)
  .option('--bins <n>', 'numeric bins (quantiles; default 10)')
  .option('--max-rows <n>', 'rows sampled uniformly from the file (default 100000)')
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  .action(async (flags: Record<string, unknown>) => {
    process.exitCode = await runProfileCommand(flags);
  });

/**
 * `modelgate verify [--model M] [--write-lock]`: recomputes every version's file hashes and
 * compares them with its manifest.lock (see gateway/repository/manifest.ts). Exit 0 when every
 * locked version matches, 1 when any drifted, 2 on bad flags or an unknown model.
 */
program
  .command('verify')
  .description('recompute the sha256 of every file of every version and compare with its manifest.lock')
  .addOption(flag('--model-repository <dir>', 'model repository directory (default ./models)', 'MODELGATE_MODEL_REPOSITORY'))
  .option('--model <name>', 'verify only this model')
  .option('--write-lock', 'write manifest.lock for versions that have none (never replaces one)')
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  .action(async (flags: Record<string, unknown>) => {
    process.exitCode = await runVerifyCommand(flags);
  });

registerRolloutCommands(program, flag);

await program.parseAsync(process.argv);
