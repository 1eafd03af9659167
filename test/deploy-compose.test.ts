import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT, assertFlagsAccepted, readYaml, serveOptionsFromEnv } from './helpers/deploy-files.ts';
import { SAMPLE_REPOSITORY } from './helpers/gateway.ts';
import { parseServerOptions } from '../gateway/options.ts';
import { parseRolloutSpec } from '../gateway/rollout/rollout-spec.ts';

/**
 * deploy/compose.yaml, checked without a Docker engine: the compose-spec schema
 * (dclint), every mounted file, the wiring between services (Prometheus scrapes
 * the gateway services on their port and alerts to Alertmanager, Grafana's
 * provisioning finds Prometheus and the dashboards where the mounts put them,
 * the rollout controller shares the replicas' repository), what the gateway and
 * its CLI accept, and promtool / amtool on the configurations (each fails with
 * the install command where not installed: CI installs both).
 */

const DEPLOY = path.join(ROOT, 'deploy');
const COMPOSE = 'deploy/compose.yaml';
const compose = readYaml(COMPOSE);
const services = compose.services as Record<string, any>;

/** Volume entries `source:target[:mode]` split; sources starting with . are host paths relative to deploy/. */
const mounts = (service: string): { source: string; target: string; host?: string }[] =>
  (services[service].volumes as string[]).map((entry) => {
    const [source, target] = entry.split(':') as [string, string];
    return { source, target, ...(source.startsWith('.') ? { host: path.resolve(DEPLOY, source) } : {}) };
  });
const mountAt = (service: string, target: string) => {
  const found = mounts(service).find((m) => m.target === target);
  assert.ok(found, `${service} mounts nothing at ${target}`);
  return found;
};
const gatewayServices = Object.keys(services).filter((name) => services[name].command?.[0] === 'serve');
const gatewayPort = (name: string): string => String(parseServerOptions(serveOptionsFromEnv(services[name].environment, name)).port);
const toolInstalled = (tool: string): boolean => spawnSync(tool, ['--version'], { stdio: 'ignore' }).error === undefined;
const run = (tool: string, ...args: string[]) => {
  const result = spawnSync(tool, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.ifError(result.error);
  assert.equal(result.status, 0, `${tool} ${args.join(' ')} exited ${result.status}:\n${result.stdout}${result.stderr}`);
};

test('compose.yaml is valid compose (the compose-spec schema, through dclint)', () => {
  const dclint = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/dclint/bin/dclint.cjs'), '--quiet', '--formatter', 'json', COMPOSE], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(dclint.status, 0, `dclint found errors:\n${dclint.stdout}${dclint.stderr}`);
});

test('every host path it mounts or builds from exists in the repository', () => {
  for (const name of Object.keys(services)) {
    for (const mount of mounts(name)) {
      if (mount.host === undefined) {
        assert.ok(mount.source in (compose.volumes ?? {}), `${name}: volume ${mount.source} is not declared`);
        continue;
      }
      assert.ok(existsSync(mount.host), `${name}: ${mount.source} does not exist`);
      assert.ok(mount.host.startsWith(ROOT), `${name}: ${mount.source} is outside the repository`);
    }
    const build = services[name].build;
    if (build) assert.ok(existsSync(path.resolve(DEPLOY, build.context, build.dockerfile)), `${name}: no ${build.dockerfile} in ${build.context}`);
  }
});

test('two gateway replicas, configured with options `serve` accepts, following an external rollout controller', () => {
  assert.ok(gatewayServices.length >= 2, `gateway services: ${gatewayServices}`);
  for (const name of gatewayServices) {
    const options = parseServerOptions(serveOptionsFromEnv(services[name].environment, name));
    assert.equal(options.rolloutController, 'external', name);
    assertFlagsAccepted('serve', services[name].command, name);
    assert.equal(mountAt(name, options.modelRepository).source, 'models', `${name} serves the shared repository volume`);
    // SIGTERM drains for the grace period; Docker's kill must come after it.
    const stop = /^(\d+)s$/.exec(services[name].stop_grace_period)?.[1];
    assert.ok(stop !== undefined && Number(stop) > options.gracePeriodSeconds, `${name}: stop_grace_period ${services[name].stop_grace_period} must exceed the ${options.gracePeriodSeconds} s drain`);
    const published = (services[name].ports as string[]).map((p) => p.split(':').at(-1));
    assert.deepEqual(published, [String(options.port)], `${name} publishes the port it listens on`);
  }
  // The replicas' health check is the image's (readiness): the Dockerfile must have one.
  assert.match(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'), /^HEALTHCHECK [\s\S]*\/v2\/health\/ready/m);
});

test('the rollout controller shares the repository, asks the compose Prometheus, and passes flags its CLI accepts', () => {
  const controller = services['rollout-controller'];
  const [command, ...args] = controller.command as string[];
  assert.equal(command, 'rollout-controller');
  assertFlagsAccepted('rollout-controller', args, 'rollout-controller');
  const url = new URL(args[args.indexOf('--prometheus-url') + 1]!);
  assert.ok(url.hostname in services, `--prometheus-url ${url}: no service ${url.hostname}`);
  assert.equal(url.port, '9090');
  assert.equal(mountAt('rollout-controller', controller.environment.MODELGATE_MODEL_REPOSITORY).source, 'models');
  assert.equal(controller.deploy?.replicas ?? 1, 1);
  // Its health check and its scrape target are its own listener, not the gateway's port.
  const metricsPort = args[args.indexOf('--metrics-port') + 1];
  assert.ok(metricsPort !== undefined && metricsPort !== '8000', `--metrics-port ${metricsPort}`);
  assert.ok(controller.healthcheck.test.join(' ').includes(`http://127.0.0.1:${metricsPort}/healthz`), 'health check on /healthz of --metrics-port');
  const config = readYaml(mountAt('prometheus', '/etc/prometheus/prometheus.yml').host!);
  const jobs = config.scrape_configs.filter((c: any) => c.static_configs.some((s: any) => s.targets.includes(`rollout-controller:${metricsPort}`)));
  assert.equal(jobs.length, 1, 'Prometheus scrapes the controller');
  assert.notEqual(jobs[0].job_name, 'modelgate', 'a job of its own: the gateway rules must not count it as a replica');
});

test('the example rollout spec it mounts is valid and names versions of the sample model', () => {
  const spec = parseRolloutSpec({ ...readYaml('deploy/rollouts/iris-canary.yaml'), model: 'iris' }, 'iris-canary.yaml');
  for (const version of [spec.baseline, spec.candidate]) {
    assert.ok(existsSync(path.join(SAMPLE_REPOSITORY, 'iris', String(version), 'model.onnx')), `iris has no version ${version}`);
  }
  assert.equal(mountAt('rollout-controller', '/etc/modelgate/rollouts').host, path.join(DEPLOY, 'rollouts'));
});

test('depends_on names services; waiting for health needs a health check', () => {
  for (const [name, service] of Object.entries(services)) {
    for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {}) as [string, { condition: string }][]) {
      assert.ok(dependency in services, `${name} depends on unknown ${dependency}`);
      if (condition !== 'service_healthy') continue;
      const own = services[dependency].healthcheck;
      assert.ok((own && !own.disable) || gatewayServices.includes(dependency), `${name} waits for ${dependency} to be healthy, which has no health check`);
    }
  }
});

test('Prometheus: the config is mounted with its rules beside it, scrapes every gateway service on its port, alerts to Alertmanager', () => {
  const configMount = mountAt('prometheus', '/etc/prometheus/prometheus.yml');
  assert.ok(services.prometheus.command.includes(`--config.file=${configMount.target}`));
  const config = readYaml(configMount.host!);
  assert.ok(config.rule_files?.length >= 1, 'Prometheus loads rule files');
  for (const file of config.rule_files as string[]) {
    // Resolved against the config file's folder, here and in the container.
    assert.ok(existsSync(path.resolve(path.dirname(configMount.host!), file)), `rule file ${file}`);
    const inContainer = path.posix.resolve(path.posix.dirname(configMount.target), file);
    const rulesMount = mounts('prometheus').find((m) => inContainer.startsWith(`${m.target}/`));
    assert.ok(rulesMount, `${inContainer} is not mounted`);
    assert.equal(path.join(rulesMount.host!, path.posix.relative(rulesMount.target, inContainer)), path.resolve(path.dirname(configMount.host!), file));
  }
  const job = config.scrape_configs.find((c: any) => c.job_name === 'modelgate');
  const targets = job.static_configs.flatMap((s: any) => s.targets) as string[];
  assert.deepEqual(targets.sort(), gatewayServices.map((name) => `${name}:${gatewayPort(name)}`).sort(), 'every gateway replica, nothing else');
  assert.equal(job.metrics_path, '/metrics');
  const alertmanagers = config.alerting.alertmanagers.flatMap((a: any) => a.static_configs.flatMap((s: any) => s.targets)) as string[];
  assert.deepEqual(alertmanagers, ['alertmanager:9093']);
  assert.ok('alertmanager' in services);
});

test('promtool check config on the compose Prometheus configuration', () => {
  assert.ok(toolInstalled('promtool'), 'promtool not installed: apt-get install prometheus');
  run('promtool', 'check', 'config', mountAt('prometheus', '/etc/prometheus/prometheus.yml').host!);
});

test('Alertmanager: its configuration is mounted where it reads it, and inhibits alerts that exist', () => {
  const mount = mountAt('alertmanager', '/etc/alertmanager/alertmanager.yml');
  assert.ok(services.alertmanager.command.includes(`--config.file=${mount.target}`));
  const config = readYaml(mount.host!);
  const alerts = new Set(readYaml('deploy/prometheus/rules/alerts.yml').groups.flatMap((g: any) => g.rules.map((r: any) => r.alert)));
  const receivers = new Set(config.receivers.map((r: any) => r.name));
  assert.ok(receivers.has(config.route.receiver));
  assert.ok(config.inhibit_rules?.length >= 1, 'inhibit rules to check');
  for (const rule of config.inhibit_rules) {
    for (const matcher of [...rule.source_matchers, ...rule.target_matchers] as string[]) {
      const name = /^alertname="([^"]+)"$/.exec(matcher)?.[1];
      assert.ok(name && alerts.has(name), `inhibit rule matcher ${matcher}: no such alert in alerts.yml`);
    }
  }
});

test('amtool check-config on the Alertmanager configuration', () => {
  assert.ok(toolInstalled('amtool'), 'amtool not installed: apt-get install prometheus-alertmanager');
  run('amtool', 'check-config', mountAt('alertmanager', '/etc/alertmanager/alertmanager.yml').host!);
});

test('Grafana: provisioning is mounted where Grafana reads it, the dashboards where the provider looks, the datasource is the Prometheus service', () => {
  const provisioning = path.join(ROOT, 'grafana/provisioning');
  for (const kind of ['datasources', 'dashboards']) {
    assert.equal(mountAt('grafana', `/etc/grafana/provisioning/${kind}`).host, path.join(provisioning, kind));
  }
  const provider = readYaml('grafana/provisioning/dashboards/modelgate.yaml').providers[0];
  const dashboards = mountAt('grafana', provider.options.path);
  assert.equal(dashboards.host, path.join(ROOT, 'grafana/dashboards'), 'the whole folder, so new dashboards appear');
  assert.ok(statSync(dashboards.host!).isDirectory());
  const home = services.grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH as string;
  assert.ok(home.startsWith(`${provider.options.path}/`) && existsSync(path.join(dashboards.host!, path.basename(home))), `home dashboard ${home}`);
  const datasource = readYaml('grafana/provisioning/datasources/prometheus.yaml').datasources[0];
  const url = new URL(datasource.url);
  assert.ok(url.hostname in services && services[url.hostname].image.startsWith('prom/prometheus:'), `datasource ${url} is the Prometheus service`);
  assert.ok((services.prometheus.ports as string[]).some((p) => p.endsWith(`:${url.port}`)));
});
