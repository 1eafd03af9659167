import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

/**
 * deploy/k8s/prometheus-rule.yaml is generated from the rule files that
 * deploy/prometheus/prometheus.yml loads (its `rule_files`, in that order), so
 * a cluster evaluates exactly the rules that promtool tests. Pure: reads the
 * rule files, returns the manifest's text.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PROMETHEUS_DIR = path.join(ROOT, 'deploy/prometheus');

interface RuleGroup {
  name: string;
  rules: Record<string, unknown>[];
  [field: string]: unknown;
}

/** The rule files of deploy/prometheus/prometheus.yml, relative to the repository root. */
function ruleFiles(): string[] {
  const config = parse(readFileSync(path.join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8')) as { rule_files?: string[] };
  if (!Array.isArray(config.rule_files) || config.rule_files.length === 0) throw new Error('deploy/prometheus/prometheus.yml: expected rule_files');
  return config.rule_files.map((file) => path.posix.join('deploy/prometheus', file));
}

/**
 * One PrometheusRule per rule file, named modelgate-<file> (recording, alerts):
 * prometheus-operator turns each object into one rule file, and Prometheus needs
 * group names unique within a file, not across files (both files have a
 * `modelgate.serving` group).
 */
export function prometheusRules(): { file: string; manifest: Record<string, unknown> }[] {
  return ruleFiles().map((file) => {
    const groups = (parse(readFileSync(path.join(ROOT, file), 'utf8')) as { groups: RuleGroup[] }).groups;
    const seen = new Set<string>();
    for (const group of groups) {
      if (seen.has(group.name)) throw new Error(`${file}: rule group "${group.name}" is defined twice`);
      seen.add(group.name);
    }
    const manifest = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: {
        name: `modelgate-${path.basename(file, path.extname(file))}`,
        labels: { 'app.kubernetes.io/name': 'modelgate', 'app.kubernetes.io/component': 'monitoring' },
      },
      spec: { groups },
    };
    return { file, manifest };
  });
}

export function renderPrometheusRule(): string {
  const rules = prometheusRules();
  const header = [
    `# GENERATED from ${rules.map(({ file }) => file).join(', ')} by`,
    '#   npm run build:k8s   (node --import tsx deploy/k8s/generator/build.ts)',
    '# Do not edit: change the rule files and their promtool tests, then regenerate.',
    '# Your Prometheus must select these (ruleSelector; kube-prometheus-stack selects',
    '# `release: <its name>` unless told otherwise).',
  ];
  const documents = rules.map(({ file, manifest }) => `# ${file}\n${stringify(manifest, { lineWidth: 0 })}`);
  return `${header.join('\n')}\n${documents.join('---\n')}`;
}
