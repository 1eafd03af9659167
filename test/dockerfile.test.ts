import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';

/**
 * No Docker engine runs here, so the image is checked by what it refers to:
 * every COPY source exists in the repository (and is not excluded by
 * .dockerignore), the entry point and its build script exist, the health check
 * calls the readiness route, and the process does not run as root.
 */
const root = new URL('../', import.meta.url).pathname;
const dockerfile = readFileSync(`${root}Dockerfile`, 'utf8');
const ignored = readFileSync(`${root}.dockerignore`, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

test('every COPY from the build context exists and is not ignored', () => {
  const copies = [...dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)].map((m) => m[1]!.trim().split(/\s+/).filter((w) => !w.startsWith('--')).slice(0, -1)).flat();
  assert.ok(copies.length >= 5, copies.join(' '));
  for (const source of copies) {
    assert.ok(existsSync(`${root}${source}`), `COPY ${source}: not in the repository`);
    assert.ok(!ignored.includes(source), `COPY ${source}: excluded by .dockerignore`);
  }
});

test('entry point, build step, health check and user', () => {
  assert.match(dockerfile, /^ENTRYPOINT \["node", "bin\/modelgate\.js"\]$/m);
  assert.ok(existsSync(`${root}bin/modelgate.js`) && existsSync(`${root}bin/build.js`));
  assert.match(dockerfile, /^RUN node bin\/build\.js$/m);
  assert.match(dockerfile, /HEALTHCHECK [\s\S]*\/v2\/health\/ready/);
  assert.match(dockerfile, /^USER node$/m);
  assert.match(dockerfile, /npm ci --omit=dev/);
  assert.match(dockerfile, /^ARG NODE_IMAGE=node:24-/m, 'a current LTS');
});
