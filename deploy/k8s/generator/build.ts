import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderPrometheusRule } from './prometheus-rule.ts';

/**
 * Writes deploy/k8s/prometheus-rule.yaml from deploy/prometheus/rules/.
 *   node --import tsx deploy/k8s/generator/build.ts           write
 *   node --import tsx deploy/k8s/generator/build.ts --check   exit 1 if the file differs from a fresh generation
 */

const TARGET = fileURLToPath(new URL('../prometheus-rule.yaml', import.meta.url));
const text = renderPrometheusRule();
let current: string | undefined;
try {
  current = readFileSync(TARGET, 'utf8');
} catch {
  current = undefined;
}

if (process.argv.includes('--check')) {
  if (current !== text) {
    console.error('deploy/k8s/prometheus-rule.yaml is out of date: run npm run build:k8s');
    process.exit(1);
  }
  console.log('deploy/k8s/prometheus-rule.yaml is up to date');
} else {
  if (current !== text) writeFileSync(TARGET, text);
  console.log(current === text ? 'deploy/k8s/prometheus-rule.yaml unchanged' : 'wrote deploy/k8s/prometheus-rule.yaml');
}
