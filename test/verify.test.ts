/**
 * `modelgate verify` end to end: the real CLI as a subprocess against a temporary copy of
 * the sample repository. Locks are written, a clean repository verifies (exit 0), one byte
 * flipped in one model.onnx makes exactly that version DRIFTED, naming the file (exit 1),
 * and usage errors exit 2.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MANIFEST_LOCK } from '../gateway/repository/manifest.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const CLI = join(ROOT, 'bin/modelgate.js');
const MODELS = ['iris', 'iris_petal_width'];

const scratch = mkdtempSync(join(tmpdir(), 'modelgate-verify-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let repos = 0;

function makeRepo(): string {
  const repo = join(scratch, `repo${repos++}`);
  for (const model of MODELS) cpSync(join(ROOT, 'models', model), join(repo, model), { recursive: true });
  return repo;
}

interface Run { code: number; stdout: string; stderr: string }

function verify(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, 'verify', ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

/** `model/version` → the rest of its line. */
function lines(stdout: string): Map<string, string> {
  return new Map(stdout.split('\n').filter((l) => /^\S+\/\d+ /.test(l)).map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
}

function flipByte(file: string, at: number): void {
  const bytes = readFileSync(file);
  bytes[at] = (bytes[at] ?? 0) ^ 0xff;
  writeFileSync(file, bytes);
}

test('locks are written, verified, and one flipped byte makes exactly that version drift', async () => {
  const repo = makeRepo();

  const before = await verify('--model-repository', repo);
  assert.equal(before.code, 0, before.stderr);
  assert.deepEqual([...lines(before.stdout).values()], ['no lock (5 files)', 'no lock (5 files)', 'no lock (5 files)']);

  const written = await verify('--model-repository', repo, '--write-lock');
  assert.equal(written.code, 0, written.stderr);
  assert.deepEqual(Object.fromEntries(lines(written.stdout)), {
    'iris/1': 'lock written (5 files)',
    'iris/2': 'lock written (5 files)',
    'iris_petal_width/1': 'lock written (5 files)',
  });
  for (const v of ['iris/1', 'iris/2', 'iris_petal_width/1']) assert.ok(existsSync(join(repo, v, MANIFEST_LOCK)), v);

  const clean = await verify('--model-repository', repo);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.deepEqual([...lines(clean.stdout).values()], ['ok (5 files)', 'ok (5 files)', 'ok (5 files)']);

  flipByte(join(repo, 'iris/2/model.onnx'), 100);
  const drifted = await verify('--model-repository', repo);
  assert.equal(drifted.code, 1, drifted.stdout + drifted.stderr);
  const verdicts = lines(drifted.stdout);
  assert.match(verdicts.get('iris/2') ?? '', /^DRIFTED: model\.onnx sha256 differs \(lock [0-9a-f]{12}…, now [0-9a-f]{12}…\)$/);
  assert.equal(verdicts.get('iris/1'), 'ok (5 files)');
  assert.equal(verdicts.get('iris_petal_width/1'), 'ok (5 files)');
  assert.match(drifted.stdout, /verified 3 versions: 2 ok, 1 drifted/);

  // --model narrows the check: the other model still verifies clean.
  const other = await verify('--model-repository', repo, '--model', 'iris_petal_width');
  assert.equal(other.code, 0);
  assert.deepEqual([...lines(other.stdout).keys()], ['iris_petal_width/1']);

  // --write-lock never replaces a lock that differs, and says so.
  const lockBefore = readFileSync(join(repo, 'iris/2', MANIFEST_LOCK), 'utf8');
  const again = await verify('--model-repository', repo, '--model', 'iris', '--write-lock');
  assert.equal(again.code, 1);
  assert.match(lines(again.stdout).get('iris/2') ?? '', /DRIFTED: model\.onnx .*manifest\.lock kept \(--write-lock never replaces a lock\)/);
  assert.equal(readFileSync(join(repo, 'iris/2', MANIFEST_LOCK), 'utf8'), lockBefore);
});

test('missing, added and resized files are named', async () => {
  const repo = makeRepo();
  assert.equal((await verify('--model-repository', repo, '--write-lock')).code, 0);
  rmSync(join(repo, 'iris/1/MODEL_CARD.md'));
  writeFileSync(join(repo, 'iris/2/notes.txt'), 'added after publishing\n');
  writeFileSync(join(repo, 'iris_petal_width/1/expected.json'), '{}\n');
  const run = await verify('--model-repository', repo);
  assert.equal(run.code, 1);
  const verdicts = lines(run.stdout);
  assert.equal(verdicts.get('iris/1'), 'DRIFTED: MODEL_CARD.md missing (in the lock, not on disk)');
  assert.equal(verdicts.get('iris/2'), 'DRIFTED: notes.txt is not in the lock (added after it was written)');
  assert.match(verdicts.get('iris_petal_width/1') ?? '', /^DRIFTED: expected\.json size differs \(lock \d+ bytes, now 3 bytes\)$/);
});

test('a malformed lock fails the version (exit 1)', async () => {
  const repo = makeRepo();
  writeFileSync(join(repo, 'iris/1', MANIFEST_LOCK), '{"files": ');
  const run = await verify('--model-repository', repo, '--model', 'iris');
  assert.equal(run.code, 1);
  assert.equal(lines(run.stdout).get('iris/1'), 'FAILED: manifest.lock: not valid JSON');
  assert.equal(lines(run.stdout).get('iris/2'), 'no lock (5 files)');
});

test('usage errors exit 2 with a message', async () => {
  const repo = makeRepo();
  const unknown = await verify('--model-repository', repo, '--model', 'nope');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /modelgate verify: unknown model "nope" in .* \(models: iris, iris_petal_width\)/);
  const missing = await verify('--model-repository', join(scratch, 'does-not-exist'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--model-repository .*does-not-exist: not a directory/);
  const badFlag = await verify('--model-repository', repo, '--bogus');
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /unknown option '--bogus'/);
});
