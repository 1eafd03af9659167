import { Command, Option } from 'commander';
import { parseServerOptions } from './options.ts';
import { createLogger } from './logger.ts';
import { Gateway } from './server.ts';
import { SERVER_VERSION } from './version.ts';

/**
 * `modelgate serve [--model-repository DIR] [--host H] [--port P] …`.
 * Every flag can also be given as MODELGATE_<FLAG> (e.g. MODELGATE_PORT); a flag wins over its variable.
 */
const program = new Command('modelgate').version(SERVER_VERSION).description('Model-serving gateway (KServe v2 over HTTP)');

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

await program.parseAsync(process.argv);
