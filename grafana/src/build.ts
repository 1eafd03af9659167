import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dashboards, render } from './render.ts';

/**
 * Writes grafana/dashboards/*.json from the TypeScript definitions and removes
 * dashboards that are no longer generated.
 *   node --import tsx grafana/src/build.ts           write
 *   node --import tsx grafana/src/build.ts --check   exit 1 if the files differ from a fresh generation
 */

const DIR = fileURLToPath(new URL('../dashboards/', import.meta.url));
const check = process.argv.includes('--check');
const wanted = dashboards();
const stale: string[] = [];

for (const [file, dashboard] of wanted) {
  const target = path.join(DIR, file);
  const text = render(dashboard);
  let current: string | undefined;
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) continue;
  stale.push(file);
  if (!check) writeFileSync(target, text);
}
for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json') && !wanted.has(f))) {
  stale.push(`${file} (not generated)`);
  if (!check) rmSync(path.join(DIR, file));
}

if (check && stale.length > 0) {
  console.error(`grafana/dashboards is out of date: ${stale.join(', ')}. Run npm run build:dashboards.`);
  process.exit(1);
}
console.log(check ? 'grafana/dashboards is up to date' : `${stale.length === 0 ? 'unchanged' : `wrote ${stale.join(', ')}`} (${wanted.size} dashboards)`);
