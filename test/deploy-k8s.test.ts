import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { Namespace, PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodMonitor, PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { ROOT, assertFlagsAccepted, cliHelp, readYaml, readYamlDocuments, selects, serveOptionsFromEnv } from './helpers/deploy-files.ts';
import { SAMPLE_REPOSITORY, startGateway, type RunningGateway } from './helpers/gateway.ts';
import { ChildService } from './helpers/child-service.ts';
import { parseServerOptions } from '../gateway/options.ts';
import { TokenStore } from '../gateway/management/tokens.ts';
import { TrafficPolicy } from '../gateway/routing/traffic-policy.ts';
import { prometheusRules, renderPrometheusRule } from '../deploy/k8s/generator/prometheus-rule.ts';

/**
 * deploy/k8s/, checked without a cluster: every manifest parses and passes the
 * Kubernetes (and prometheus-operator) schemas of kubernetes-models; the
 * cross-references hold (selectors and labels, port names, volumes, ConfigMaps
 * and Secrets, the HPA's metric and the adapter rule); what the manifests tell
 * the gateway is what the real gateway accepts and serves (its CLI flags and
 * variables, its probe routes and metric names, on a real server); the
 * PrometheusRule is the rule files; the seed script works on real folders; and
 * `kubectl kustomize` builds it where kubectl is installed.
 */

const K8S = 'deploy/k8s';
const kustomization = readYaml(`${K8S}/kustomization.yaml`);

/** Files the kustomization does not apply as objects: generator inputs and the adapter's Helm values. */
const NOT_RESOURCES = new Set(['kustomization.yaml', 'management-tokens.yaml']);

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; [key: string]: any };
const objects: K8sObject[] = (kustomization.resources as string[]).flatMap((file) => readYamlDocuments(`${K8S}/${file}`));
const byKind = (kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);
const one = (kind: string, name: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `no ${kind} ${name} among the kustomization's resources`);
  return found;
};

const gateway = one('Deployment', 'modelgate');
const controller = one('Deployment', 'modelgate-rollout-controller');
const service = one('Service', 'modelgate');
const gatewayContainer = gateway.spec.template.spec.containers.find((c: any) => c.name === 'gateway');
const controllerContainer = controller.spec.template.spec.containers.find((c: any) => c.name === 'rollout-controller');
const envOf = (container: any): Record<string, string> => Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value]));
const mountOf = (container: any, volume: string): any => container.volumeMounts.find((m: any) => m.name === volume);

/** prometheus-adapter's rules (its Helm values), and the Prometheus metric each one reads. */
const adapterRules = readYaml(`${K8S}/prometheus-adapter/values.yaml`).rules.custom as any[];
const seriesOf = (rule: any): string => {
  const series = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{/.exec(rule.seriesQuery)?.[1];
  assert.ok(series, `adapter seriesQuery ${rule.seriesQuery}: expected metric{matchers}`);
  return series;
};

const MODELS: Record<string, (o: any) => { validate(): void }> = {
  'v1/Namespace': (o) => new Namespace(o),
  'v1/PersistentVolumeClaim': (o) => new PersistentVolumeClaim(o),
  'v1/Service': (o) => new Service(o),
  'apps/v1/Deployment': (o) => new Deployment(o),
  'policy/v1/PodDisruptionBudget': (o) => new PodDisruptionBudget(o),
  'autoscaling/v2/HorizontalPodAutoscaler': (o) => new HorizontalPodAutoscaler(o),
  'monitoring.coreos.com/v1/ServiceMonitor': (o) => new ServiceMonitor(o),
  'monitoring.coreos.com/v1/PodMonitor': (o) => new PodMonitor(o),
  'monitoring.coreos.com/v1/PrometheusRule': (o) => new PrometheusRule(o),
};

test('every YAML file under deploy/k8s parses, and the kustomization applies every manifest there', () => {
  const yamlFiles = (dir: string): string[] => readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? yamlFiles(path.join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : []));
  const all = yamlFiles(K8S);
  for (const file of all) readYamlDocuments(file);
  const topLevel = all.filter((f) => path.dirname(f) === K8S).map((f) => path.basename(f)).filter((f) => !NOT_RESOURCES.has(f));
  assert.deepEqual([...kustomization.resources].sort(), topLevel.sort(), 'kustomization resources = the manifests in deploy/k8s');
  for (const generator of [...kustomization.configMapGenerator, ...kustomization.secretGenerator]) {
    for (const entry of generator.files as string[]) {
      const file = entry.split('=').at(-1)!;
      assert.ok(existsSync(path.join(ROOT, K8S, file)), `${generator.name}: ${file} does not exist`);
    }
  }
});

test('every object has apiVersion, kind and a name, and passes its schema', () => {
  assert.ok(objects.length >= 9);
  for (const object of objects) {
    assert.ok(object.apiVersion && object.kind && object.metadata?.name, JSON.stringify(object).slice(0, 120));
    const model = MODELS[`${object.apiVersion}/${object.kind}`];
    assert.ok(model, `${object.apiVersion} ${object.kind} ${object.metadata.name}: no schema known to this test`);
    assert.doesNotThrow(() => model(object).validate(), `${object.kind} ${object.metadata.name}`);
  }
  const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
  assert.equal(new Set(names).size, names.length, 'object names are unique per kind');
});

test('the schemas would catch a mistake (a port given as a string)', () => {
  const broken = structuredClone(gateway);
  broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
  assert.throws(() => new Deployment(broken).validate(), /containerPort/);
});

test('deployments select their own pods; the Service, PDB and HPA pick the gateway, not the controller', () => {
  for (const deployment of byKind('Deployment')) {
    assert.ok(selects(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels), `${deployment.metadata.name}: selector ⊆ pod labels`);
  }
  const gatewayPods = gateway.spec.template.metadata.labels;
  const controllerPods = controller.spec.template.metadata.labels;
  assert.ok(!selects(gateway.spec.selector.matchLabels, controllerPods), 'the gateway Deployment must not adopt the controller pods');
  assert.ok(!selects(controller.spec.selector.matchLabels, gatewayPods), 'the controller Deployment must not adopt gateway pods');
  assert.ok(selects(service.spec.selector, gatewayPods) && !selects(service.spec.selector, controllerPods), 'Service → gateway pods only');
  const pdb = one('PodDisruptionBudget', 'modelgate');
  assert.ok(selects(pdb.spec.selector.matchLabels, gatewayPods) && !selects(pdb.spec.selector.matchLabels, controllerPods), 'PDB → gateway pods only');
});

test('Service targets a named container port; probes use container ports', () => {
  const ports = new Map<string, number>(gatewayContainer.ports.map((p: any) => [p.name, p.containerPort]));
  for (const port of service.spec.ports) {
    assert.ok(ports.has(port.targetPort), `Service port ${port.name}: targetPort ${port.targetPort} is no container port (${[...ports.keys()]})`);
  }
  const env = envOf(gatewayContainer);
  assert.equal(String(ports.get('http')), env.MODELGATE_PORT, 'the container port is the port the gateway listens on');
  for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
    const get = gatewayContainer[probe]?.httpGet;
    assert.ok(get, `${probe} is an HTTP probe`);
    assert.ok(ports.has(get.port), `${probe}: port ${get.port} is no container port`);
  }
  assert.equal(gatewayContainer.readinessProbe.httpGet.path, '/v2/health/ready');
  assert.equal(gatewayContainer.livenessProbe.httpGet.path, '/v2/health/live');
});

test('termination leaves the gateway its whole drain: preStop sleep + grace period < terminationGracePeriodSeconds', () => {
  const spec = gateway.spec.template.spec;
  const preStop = gatewayContainer.lifecycle.preStop.exec.command as string[];
  assert.equal(preStop[0], 'sleep');
  const sleep = Number(preStop[1]);
  assert.ok(sleep >= 5, 'endpoints need a few seconds to deregister');
  const grace = parseServerOptions(serveOptionsFromEnv(envOf(gatewayContainer), 'gateway')).gracePeriodSeconds;
  assert.ok(spec.terminationGracePeriodSeconds > sleep + grace, `${spec.terminationGracePeriodSeconds} s must exceed ${sleep} + ${grace} s`);
  assert.ok(gateway.spec.replicas === undefined, 'the HPA owns the replica count');
  assert.equal(gateway.spec.strategy.rollingUpdate.maxUnavailable, 0);
});

test('the gateway variables are options `serve` reads, with valid values; run in a cluster they mean several replicas', () => {
  const env = envOf(gatewayContainer);
  const options = parseServerOptions(serveOptionsFromEnv(env, 'gateway container'));
  assert.equal(options.rolloutController, 'external', 'replicas follow the rollout controller');
  assert.equal(options.modelControlMode, 'poll', 'replicas pick up versions published to the shared repository');
  assert.deepEqual(gatewayContainer.args, ['serve']);
  assertFlagsAccepted('serve', gatewayContainer.args, 'gateway container');
});

test('the rollout controller: one replica, Recreate, flags its CLI accepts, the same repository as the gateways', () => {
  assert.equal(controller.spec.replicas, 1);
  assert.equal(controller.spec.strategy.type, 'Recreate');
  const args = controllerContainer.args as string[];
  assert.equal(args[0], 'rollout-controller');
  assertFlagsAccepted('rollout-controller', args.slice(1), 'rollout controller');
  const url = new URL(args[args.indexOf('--prometheus-url') + 1]!);
  assert.equal(url.protocol, 'http:');
  for (const name of Object.keys(envOf(controllerContainer))) {
    assert.ok(cliHelp('rollout-controller').includes(`(env: ${name})`), `modelgate rollout-controller does not read ${name}`);
  }
  const claim = (d: K8sObject) => d.spec.template.spec.volumes.find((v: any) => v.name === 'model-repository').persistentVolumeClaim.claimName;
  assert.equal(claim(controller), claim(gateway), 'one shared repository');
  assert.deepEqual(one('PersistentVolumeClaim', claim(gateway)).spec.accessModes, ['ReadWriteMany'], 'mounted by every replica on any node');
  for (const [deployment, container] of [[gateway, gatewayContainer], [controller, controllerContainer]] as const) {
    assert.equal(mountOf(container, 'model-repository').mountPath, envOf(container).MODELGATE_MODEL_REPOSITORY, `${deployment.metadata.name}: serves the mounted repository`);
  }
});

test('every volumeMount names a volume; ConfigMaps, Secrets and claims exist in the kustomization', () => {
  const configMaps = new Set((kustomization.configMapGenerator ?? []).map((g: any) => g.name));
  const secrets = new Set((kustomization.secretGenerator ?? []).map((g: any) => g.name));
  for (const d of byKind('Deployment')) {
    const spec = d.spec.template.spec;
    const volumes = new Map<string, any>(spec.volumes.map((v: any) => [v.name, v]));
    for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
      for (const mount of container.volumeMounts ?? []) assert.ok(volumes.has(mount.name), `${d.metadata.name}/${container.name}: volume ${mount.name} is not defined`);
      assert.equal(container.securityContext?.allowPrivilegeEscalation, false, `${container.name}: no privilege escalation`);
    }
    assert.equal(spec.securityContext.runAsNonRoot, true, `${d.metadata.name}: non-root`);
    for (const volume of volumes.values()) {
      if (volume.configMap) assert.ok(configMaps.has(volume.configMap.name), `${d.metadata.name}: ConfigMap ${volume.configMap.name} is not generated by the kustomization`);
      if (volume.secret) assert.ok(secrets.has(volume.secret.secretName), `${d.metadata.name}: Secret ${volume.secret.secretName} is not generated by the kustomization`);
      if (volume.persistentVolumeClaim) one('PersistentVolumeClaim', volume.persistentVolumeClaim.claimName);
    }
  }
});

test('the management tokens template is a tokens file the gateway loads, mounted where MODELGATE_MANAGEMENT_TOKENS points', async () => {
  const generator = kustomization.secretGenerator.find((g: any) => g.name === 'modelgate-management-tokens');
  const [key, file] = (generator.files[0] as string).split('=') as [string, string];
  const store = new TokenStore();
  await store.loadFile(path.join(ROOT, K8S, file));
  assert.ok(store.configured);
  assert.equal(store.authenticate(''), undefined);
  const mount = mountOf(gatewayContainer, 'management-tokens');
  assert.equal(envOf(gatewayContainer).MODELGATE_MANAGEMENT_TOKENS, path.posix.join(mount.mountPath, key));
});

test('the initial traffic policies are valid and name versions of the repository; the seed step reads them from the ConfigMap mount', () => {
  const generator = kustomization.configMapGenerator.find((g: any) => g.name === 'modelgate-traffic-policy');
  assert.ok(generator.files.length >= 1);
  for (const entry of generator.files as string[]) {
    const [key, file] = entry.split('=') as [string, string];
    const model = path.basename(key, '.yaml');
    const policy = TrafficPolicy.parse(readYaml(`${K8S}/${file}`), file);
    for (const version of policy.versions) {
      assert.ok(existsSync(path.join(SAMPLE_REPOSITORY, model, String(version), 'model.onnx')), `${file}: ${model} has no version ${version}`);
    }
  }
  const seed = controller.spec.template.spec.initContainers.find((c: any) => c.name === 'seed-repository');
  assert.equal(envOf(seed).POLICIES, mountOf(seed, 'traffic-policy').mountPath);
  assert.equal(envOf(seed).REPOSITORY, mountOf(seed, 'model-repository').mountPath);
  assert.match(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'), new RegExp(`^COPY .*models ${envOf(seed).SAMPLES}$`, 'm'), 'SAMPLES is where the image keeps the sample models');
});

test('the seed step, run for real: samples into an empty repository only, initial policies only where none exists', () => {
  const seed = controller.spec.template.spec.initContainers.find((c: any) => c.name === 'seed-repository');
  const script = seed.command[2] as string;
  assert.deepEqual(seed.command.slice(0, 2), ['sh', '-c']);
  const work = mkdtempSync(path.join(tmpdir(), 'modelgate-seed-'));
  try {
    const policies = path.join(work, 'policies');
    mkdirSync(policies);
    const policyText = readFileSync(path.join(ROOT, K8S, 'traffic/iris.yaml'), 'utf8');
    writeFileSync(path.join(policies, 'iris.yaml'), policyText);
    writeFileSync(path.join(policies, 'not_a_model.yaml'), policyText);
    const run = (repository: string) => {
      const result = spawnSync('sh', ['-c', script], { env: { PATH: process.env.PATH, SAMPLES: SAMPLE_REPOSITORY, REPOSITORY: repository, POLICIES: policies }, encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      return result.stdout;
    };
    // A fresh volume (ext4 has lost+found): samples and iris's policy arrive.
    const fresh = path.join(work, 'fresh');
    mkdirSync(path.join(fresh, 'lost+found'), { recursive: true });
    run(fresh);
    assert.ok(existsSync(path.join(fresh, 'iris/1/model.onnx')) && existsSync(path.join(fresh, 'iris_petal_width/1/model.onnx')));
    assert.equal(readFileSync(path.join(fresh, 'iris/traffic.yaml'), 'utf8'), policyText);
    assert.ok(!existsSync(path.join(fresh, 'not_a_model')), 'no folder is made for a policy without a model');
    // A restart: the live policy (a rollout wrote it) stays.
    writeFileSync(path.join(fresh, 'iris/traffic.yaml'), 'versions: [{version: 2, weight: 100}]\n');
    rmSync(path.join(fresh, 'iris_petal_width'), { recursive: true });
    assert.equal(run(fresh), '');
    assert.equal(readFileSync(path.join(fresh, 'iris/traffic.yaml'), 'utf8'), 'versions: [{version: 2, weight: 100}]\n');
    assert.ok(!existsSync(path.join(fresh, 'iris_petal_width')), 'a removed model does not come back');
    // A repository with models of its own gets no samples.
    const own = path.join(work, 'own');
    cpSync(path.join(SAMPLE_REPOSITORY, 'iris_petal_width'), path.join(own, 'mine'), { recursive: true });
    run(own);
    assert.deepEqual(readdirSync(own), ['mine']);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('ServiceMonitor selects the Service and scrapes a named port; the job it yields is the one the rules expect', () => {
  const monitor = one('ServiceMonitor', 'modelgate');
  assert.ok(selects(monitor.spec.selector.matchLabels, service.metadata.labels), 'ServiceMonitor selector ⊆ Service labels');
  const portNames = service.spec.ports.map((p: any) => p.name);
  assert.ok(monitor.spec.endpoints.length >= 1, 'the ServiceMonitor has an endpoint');
  for (const endpoint of monitor.spec.endpoints) {
    assert.ok(portNames.includes(endpoint.port), `endpoint port ${endpoint.port} is not a Service port (${portNames})`);
    assert.equal(endpoint.path, '/metrics');
  }
  // prometheus-operator names the job after the Service unless jobLabel says otherwise.
  assert.equal(monitor.spec.jobLabel, undefined);
  const alerts = readFileSync(path.join(ROOT, 'deploy/prometheus/rules/alerts.yml'), 'utf8');
  const jobs = new Set([...alerts.matchAll(/job="([^"]+)"/g)].map((m) => m[1]));
  assert.deepEqual([...jobs], [service.metadata.name], 'the rules select job="<Service name>"');
});

test('the PodMonitor scrapes the rollout controller on a named port, never the gateways (they would be scraped twice)', () => {
  const monitors = byKind('PodMonitor');
  assert.ok(monitors.length >= 1);
  for (const monitor of monitors) {
    const selector = monitor.spec.selector.matchLabels;
    assert.ok(!selects(selector, gateway.spec.template.metadata.labels), `${monitor.metadata.name} selects gateway pods`);
    assert.ok(selects(selector, controller.spec.template.metadata.labels), `${monitor.metadata.name} selects no controller pod`);
    const ports = controllerContainer.ports.map((p: any) => p.name);
    assert.ok(monitor.spec.podMetricsEndpoints.length >= 1, `${monitor.metadata.name} has an endpoint`);
    for (const endpoint of monitor.spec.podMetricsEndpoints) assert.ok(ports.includes(endpoint.port), `${endpoint.port} is not a controller port (${ports})`);
  }
  const args = controllerContainer.args as string[];
  const port = controllerContainer.ports.find((p: any) => p.name === 'metrics');
  assert.equal(args[args.indexOf('--metrics-port') + 1], String(port.containerPort), 'the container port is where the controller listens');
  assert.ok(controllerContainer.ports.some((p: any) => p.name === controllerContainer.livenessProbe.httpGet.port));
});

test('the PrometheusRule objects are a fresh generation of the rule files Prometheus loads', () => {
  assert.equal(readFileSync(path.join(ROOT, K8S, 'prometheus-rule.yaml'), 'utf8'), renderPrometheusRule(), 'run npm run build:k8s');
  const rules = byKind('PrometheusRule');
  const generated = prometheusRules();
  assert.equal(rules.length, generated.length);
  for (const { file, manifest } of generated) {
    const object = rules.find((r) => r.metadata.name === (manifest.metadata as { name: string }).name);
    assert.ok(object, file);
    assert.deepEqual(object.spec.groups, parse(readFileSync(path.join(ROOT, file), 'utf8')).groups, `${object.metadata.name} = ${file}`);
  }
  assert.deepEqual(generated.map((g) => path.basename(g.file)), ['recording.yml', 'alerts.yml']);
});

test('the HPA scales the gateway Deployment on the metric the adapter rule serves, from a series the gateway exports', () => {
  const hpa = one('HorizontalPodAutoscaler', 'modelgate');
  assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: gateway.metadata.name });
  assert.ok(hpa.spec.minReplicas >= 2, 'at least two replicas');
  const served = new Map(adapterRules.map((r) => [r.name.as, r]));
  // Without metrics an HPA falls back to CPU: the loop below would check nothing.
  assert.ok(hpa.spec.metrics?.length >= 1, 'the HPA names its metrics');
  for (const metric of hpa.spec.metrics) {
    assert.equal(metric.type, 'Pods');
    const rule = served.get(metric.pods.metric.name);
    assert.ok(rule, `no adapter rule serves ${metric.pods.metric.name} (serves: ${[...served.keys()]})`);
    const series = seriesOf(rule);
    assert.ok(new RegExp(rule.name.matches).test(series), `${rule.seriesQuery}: name.matches must match the series`);
    assert.deepEqual(Object.keys(rule.resources.overrides).sort(), ['namespace', 'pod'], 'a pods metric maps namespace and pod');
    assert.match(rule.metricsQuery, /<<\.Series>>\{<<\.LabelMatchers>>\}/);
    assert.match(rule.metricsQuery, /by \(<<\.GroupBy>>\)/);
  }
});

let server: RunningGateway;
before(async () => {
  // The gateway as the Deployment configures it, on loopback with the sample models and the tokens template.
  const options = serveOptionsFromEnv(envOf(gatewayContainer), 'gateway');
  server = await startGateway({
    ...options,
    host: '127.0.0.1',
    port: 0,
    modelRepository: SAMPLE_REPOSITORY,
    managementTokens: path.join(ROOT, K8S, 'management-tokens.yaml'),
    logLevel: 'silent',
  });
});
after(async () => {
  await server?.close();
});

test('the probe paths and the scrape path are real routes of a gateway configured as the Deployment says', async () => {
  const paths = ['startupProbe', 'readinessProbe', 'livenessProbe'].map((p) => gatewayContainer[p].httpGet.path as string);
  for (const monitor of byKind('ServiceMonitor')) paths.push(...monitor.spec.endpoints.map((e: any) => e.path as string));
  for (const route of new Set(paths)) {
    const response = await fetch(`${server.url}${route}`);
    await response.arrayBuffer();
    assert.equal(response.status, 200, `GET ${route}`);
  }
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  for (const series of adapterRules.map(seriesOf)) assert.match(metrics, new RegExp(`^${series}\\{model="iris",version="1"\\} \\d`, 'm'), `the gateway exports ${series}`);
});

test('the controller, started with the Deployment\'s arguments, answers its probe and scrape paths', { timeout: 60_000 }, async () => {
  const probe = controllerContainer.livenessProbe.httpGet.path as string;
  // The Deployment's arguments, then the repository and a loopback listener on a port of the OS's choosing (the last --metrics-port wins).
  const args = [...(controllerContainer.args as string[]), '--model-repository', SAMPLE_REPOSITORY, '--metrics-host', '127.0.0.1', '--metrics-port', '0'];
  const controllerProcess = await ChildService.start({
    name: 'rollout-controller',
    command: () => ({ file: process.execPath, args: [path.join(ROOT, 'bin/modelgate.js'), ...args] }),
    port: { fromLog: /"metricsPort":(\d+)/ },
    readyPath: probe,
  });
  try {
    const paths = [probe, ...byKind('PodMonitor').flatMap((m) => m.spec.podMetricsEndpoints.map((e: any) => e.path))];
    for (const route of new Set<string>(paths)) {
      const response = await fetch(`${controllerProcess.url}${route}`);
      await response.arrayBuffer();
      assert.equal(response.status, 200, `GET ${route}`);
    }
  } finally {
    await controllerProcess.stop();
  }
});

test('images: every container runs the image the kustomization sets, at the package version', () => {
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const images = new Map((kustomization.images as any[]).map((i) => [i.name, i]));
  for (const d of byKind('Deployment')) {
    for (const c of [...(d.spec.template.spec.initContainers ?? []), ...d.spec.template.spec.containers]) {
      assert.ok(images.has(c.image), `${d.metadata.name}/${c.name}: image ${c.image} is not set by the kustomization`);
    }
  }
  assert.equal(images.get('modelgate').newTag, version);
});

test('kubectl kustomize builds it, and the generated ConfigMap and Secret names reach the pods', (t) => {
  const kubectl = spawnSync('kubectl', ['kustomize', K8S], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (kubectl.error !== undefined) return t.skip('kubectl not installed');
  assert.equal(kubectl.status, 0, kubectl.stderr);
  const built = kubectl.stdout.split(/^---$/m).map((doc) => parse(doc)).filter(Boolean);
  assert.ok(built.every((o: any) => o.metadata.namespace === kustomization.namespace || o.kind === 'Namespace'));
  const generated = new Set(built.filter((o: any) => o.kind === 'ConfigMap' || o.kind === 'Secret').map((o: any) => o.metadata.name));
  const referenced = built.filter((o: any) => o.kind === 'Deployment').flatMap((d: any) => d.spec.template.spec.volumes)
    .flatMap((v: any) => [v.configMap?.name, v.secret?.secretName].filter(Boolean));
  assert.equal(referenced.length, 2);
  for (const name of referenced) assert.ok(generated.has(name), `${name} is not in the build`);
});
