import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/**
 * The Prometheus configuration and rules in deploy/prometheus/ are valid, and
 * their promtool unit tests pass. promtool comes with Debian's `prometheus`
 * package (CI installs it); without it these tests fail with the install
 * command rather than pass unchecked.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROMETHEUS_DIR = 'deploy/prometheus';
const RULES_DIR = path.join(PROMETHEUS_DIR, 'rules');
const PROMTOOL_MISSING = 'promtool not installed: apt-get install prometheus';

const ruleDirFiles = readdirSync(path.join(ROOT, RULES_DIR)).filter((f) => f.endsWith('.yml')).sort();
/** Rule files (recording.yml, alerts.yml, ...): every .yml that is not a test. */
const ruleFiles = ruleDirFiles.filter((f) => !f.endsWith('.test.yml')).map((f) => path.join(RULES_DIR, f));
const testFiles = ruleDirFiles.filter((f) => f.endsWith('.test.yml')).map((f) => path.join(RULES_DIR, f));

const promtoolInstalled = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).error === undefined;

/** Runs promtool from the repository root; fails with its output unless it exits 0. */
function promtool(...args: string[]): void {
  const run = spawnSync('promtool', args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.ifError(run.error);
  assert.equal(run.status, 0, `promtool ${args.join(' ')} exited ${run.status}:\n${run.stdout}${run.stderr}`);
}

test('promtool check config deploy/prometheus/prometheus.yml', () => {
  assert.ok(promtoolInstalled, PROMTOOL_MISSING);
  promtool('check', 'config', path.join(PROMETHEUS_DIR, 'prometheus.yml'));
});

test('promtool check rules on every rule file', () => {
  assert.ok(promtoolInstalled, PROMTOOL_MISSING);
  assert.ok(ruleFiles.length >= 2, `expected recording and alert rule files in ${RULES_DIR}`);
  promtool('check', 'rules', ...ruleFiles);
});

test('promtool test rules on every rule test file', () => {
  assert.ok(promtoolInstalled, PROMTOOL_MISSING);
  assert.ok(testFiles.length >= 1, `expected *.test.yml files in ${RULES_DIR}`);
  promtool('test', 'rules', ...testFiles);
});

interface RuleGroups {
  groups: { name: string; rules: { record?: string; alert?: string }[] }[];
}
interface RuleTests {
  tests: {
    promql_expr_test?: { expr: string }[];
    alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[];
  }[];
}

const readYaml = <T>(file: string): T => parse(readFileSync(path.join(ROOT, file), 'utf8')) as T;

test('every recording rule is evaluated by a unit test, every alert both fires and stays quiet in one', () => {
  const rules = ruleFiles.flatMap((f) => readYaml<RuleGroups>(f).groups.flatMap((g) => g.rules));
  const cases = testFiles.flatMap((f) => readYaml<RuleTests>(f).tests);
  const exprs = cases.flatMap((c) => c.promql_expr_test ?? []).map((e) => e.expr);
  const alertCases = cases.flatMap((c) => c.alert_rule_test ?? []);

  const records = rules.flatMap((r) => (r.record ? [r.record] : []));
  const alerts = rules.flatMap((r) => (r.alert ? [r.alert] : []));
  assert.ok(records.length > 0 && alerts.length > 0);

  // Whole names only: an expr reading `foo_bar` does not test the rule `foo`.
  const tested = (name: string) => exprs.some((e) => new RegExp(`${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_:])`).test(e));
  assert.deepEqual(records.filter((r) => !tested(r)), [], 'recording rules without a promql_expr_test');

  const fires = (a: string) => alertCases.some((c) => c.alertname === a && (c.exp_alerts?.length ?? 0) > 0);
  const quiet = (a: string) => alertCases.some((c) => c.alertname === a && (c.exp_alerts?.length ?? 0) === 0);
  assert.deepEqual(alerts.filter((a) => !fires(a)), [], 'alerts never expected to fire');
  assert.deepEqual(alerts.filter((a) => !quiet(a)), [], 'alerts never expected to stay quiet');
});
