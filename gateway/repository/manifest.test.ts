import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  buildManifest,
  canonicalJson,
  checkLock,
  compareLock,
  configSha256,
  formatLock,
  hashVersionFiles,
  LockMismatchError,
  MANIFEST_LOCK,
  parseLock,
  writeLock,
  type ManifestFile,
} from './manifest.ts';

const scratch = mkdtempSync(path.join(tmpdir(), 'modelgate-manifest-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;

/** A fresh version directory holding `files` (relative path → content). */
function versionDir(files: Record<string, string | Buffer>): string {
  const dir = path.join(scratch, `v${dirs++}`, '1');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

const HELLO_SHA256 = '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03'; // sha256("hello\n")
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const context = { model: 'iris', version: 1, runtime: 'onnxruntime', runtimeVersion: '1.30.0', executionProvider: 'cpu', config: undefined };

test('hash and size of known content', async () => {
  const dir = versionDir({ 'model.onnx': 'hello\n', 'empty.bin': '' });
  assert.deepEqual(await hashVersionFiles(dir), [
    { path: 'empty.bin', sha256: EMPTY_SHA256, size: 0 },
    { path: 'model.onnx', sha256: HELLO_SHA256, size: 6 },
  ]);
});

test('a large file is hashed as a whole (streamed in chunks)', async () => {
  const big = Buffer.alloc(5 * 1024 * 1024 + 3);
  for (let i = 0; i < big.length; i += 4099) big[i] = i % 251;
  const dir = versionDir({ 'model.onnx': big });
  const [file] = await hashVersionFiles(dir);
  assert.equal(file?.size, big.length);
  assert.equal(file?.sha256, createHash('sha256').update(big).digest('hex'));
});

test('every file, recursively, sorted by POSIX path; manifest.lock and hidden .tmp files left out', async () => {
  const dir = versionDir({
    'model.onnx': 'm',
    'weights/shard-2.bin': 'b',
    'weights/shard-1.bin': 'a',
    'MODEL_CARD.md': 'card',
    'reference.json': '{}',
    [MANIFEST_LOCK]: '{"files": {}}',
    '.reference.json.123.abcd.tmp': 'half-written',
    '.hidden-but-not-temporary': 'kept',
    'weights/manifest.lock': 'only the top-level lock is left out',
  });
  const paths = (await hashVersionFiles(dir)).map((f) => f.path);
  assert.deepEqual(paths, [
    '.hidden-but-not-temporary',
    'MODEL_CARD.md',
    'model.onnx',
    'reference.json',
    'weights/manifest.lock',
    'weights/shard-1.bin',
    'weights/shard-2.bin',
  ]);
});

test('buildManifest records files, config hash, runtime, provider and load time', async () => {
  const dir = versionDir({ 'model.onnx': 'hello\n' });
  const before = Date.now();
  const manifest = await buildManifest(dir, { ...context, config: { max_batch_size: 8 } });
  assert.equal(manifest.model, 'iris');
  assert.equal(manifest.version, 1);
  assert.deepEqual(manifest.files, [{ path: 'model.onnx', sha256: HELLO_SHA256, size: 6 }]);
  assert.equal(manifest.configSha256, configSha256({ max_batch_size: 8 }));
  assert.equal(manifest.runtime, 'onnxruntime');
  assert.equal(manifest.runtimeVersion, '1.30.0');
  assert.equal(manifest.executionProvider, 'cpu');
  assert.ok(Date.parse(manifest.loadedAt) >= before - 1000 && manifest.loadedAt.endsWith('Z'));
  assert.equal(manifest.contentSha256, createHash('sha256').update(formatLock(manifest.files)).digest('hex'));
  assert.equal((await buildManifest(dir, context)).configSha256, 'none');
});

test('the config hash is stable under key order and changes with any value', () => {
  const a = { max_batch_size: 8, input: [{ name: 'x', datatype: 'FP32', dims: [4] }], dynamic_batching: { max_queue_delay_microseconds: 100, preferred_batch_sizes: [4, 8] } };
  const b = { dynamic_batching: { preferred_batch_sizes: [4, 8], max_queue_delay_microseconds: 100 }, input: [{ dims: [4], datatype: 'FP32', name: 'x' }], max_batch_size: 8 };
  assert.equal(canonicalJson(a), canonicalJson(b));
  assert.equal(configSha256(a), configSha256(b));
  assert.match(configSha256(a), /^[0-9a-f]{64}$/);
  assert.notEqual(configSha256(a), configSha256({ ...a, max_batch_size: 16 }));
  // Array order is meaningful; undefined members are absent, as in JSON.
  assert.notEqual(configSha256({ v: [1, 2] }), configSha256({ v: [2, 1] }));
  assert.equal(canonicalJson({ b: 1, a: undefined, c: { y: null, x: 'é' } }), '{"b":1,"c":{"x":"é","y":null}}');
  assert.equal(configSha256(undefined), 'none');
});

test('no lock: nothing is checked; a matching lock passes', async () => {
  const dir = versionDir({ 'model.onnx': 'hello\n' });
  const manifest = await buildManifest(dir, context);
  await checkLock(dir, manifest);
  await writeLock(dir);
  await checkLock(dir, manifest);
  assert.deepEqual(parseLock(readFileSync(path.join(dir, MANIFEST_LOCK), 'utf8')), manifest.files);
});

test('writeLock writes the documented format atomically and leaves no temporary file', async () => {
  const dir = versionDir({ 'model.onnx': 'hello\n', 'sub/w.bin': '' });
  await writeLock(dir);
  const lock = JSON.parse(readFileSync(path.join(dir, MANIFEST_LOCK), 'utf8')) as unknown;
  assert.deepEqual(lock, { files: { 'model.onnx': { sha256: HELLO_SHA256, size: 6 }, 'sub/w.bin': { sha256: EMPTY_SHA256, size: 0 } } });
  assert.deepEqual(readdirSync(dir).sort(), [MANIFEST_LOCK, 'model.onnx', 'sub']);
  // The lock itself is not part of what it locks: hashing again gives the same files.
  await checkLock(dir, { files: await hashVersionFiles(dir) });
});

test('the lock check names the first file that differs: missing, extra, size, sha256', async () => {
  const dir = versionDir({ 'a.bin': 'aaaa', 'b.bin': 'bbbb', 'model.onnx': 'hello\n' });
  await writeLock(dir);
  const files = await hashVersionFiles(dir);
  const withFile = (p: string, change: Partial<ManifestFile>): ManifestFile[] => files.map((f) => (f.path === p ? { ...f, ...change } : f));
  const check = (now: ManifestFile[]) => checkLock(dir, { files: now });

  await assert.rejects(check(files.filter((f) => f.path !== 'b.bin')), (error: Error) => {
    assert.ok(error instanceof LockMismatchError);
    assert.match(error.message, /^manifest\.lock disagrees with the files: b\.bin missing \(in the lock, not on disk\)$/);
    return true;
  });
  await assert.rejects(check([...files, { path: 'extra.txt', sha256: EMPTY_SHA256, size: 0 }]), /extra\.txt is not in the lock/);
  await assert.rejects(check(withFile('model.onnx', { size: 7 })), /model\.onnx size differs \(lock 6 bytes, now 7 bytes\)/);
  await assert.rejects(check(withFile('model.onnx', { sha256: EMPTY_SHA256 })), /model\.onnx sha256 differs \(lock 5891b5b522d5…, now e3b0c44298fc…\)/);
  // Several differences: the first in path order is named, the others counted.
  await assert.rejects(check(withFile('b.bin', { size: 1 }).filter((f) => f.path !== 'a.bin')), /: a\.bin missing .*\(and 1 more\)$/);
});

test('compareLock lists every difference in path order', () => {
  const lock: ManifestFile[] = [
    { path: 'a', sha256: HELLO_SHA256, size: 6 },
    { path: 'b', sha256: HELLO_SHA256, size: 6 },
    { path: 'c', sha256: HELLO_SHA256, size: 6 },
  ];
  const now: ManifestFile[] = [
    { path: 'b', sha256: EMPTY_SHA256, size: 6 },
    { path: 'c', sha256: HELLO_SHA256, size: 6 },
    { path: 'd', sha256: EMPTY_SHA256, size: 0 },
  ];
  assert.deepEqual(compareLock(lock, now).map((d) => [d.path, d.kind]), [['a', 'missing'], ['b', 'sha256'], ['d', 'extra']]);
  assert.deepEqual(compareLock(lock, lock), []);
});

test('a malformed lock is an error naming the problem', async () => {
  const dir = versionDir({ 'model.onnx': 'hello\n', [MANIFEST_LOCK]: '{"files": {"model.onnx": {"sha256": "xyz", "size": 6}}}' });
  await assert.rejects(checkLock(dir, { files: await hashVersionFiles(dir) }), /manifest\.lock: files\.model\.onnx\.sha256: expected 64 hex digits/);
  assert.throws(() => parseLock('not json'), /manifest\.lock: not valid JSON/);
  assert.throws(() => parseLock('{"files": {"m": {"sha256": "' + HELLO_SHA256 + '", "size": -1}}}'), /size/);
  assert.throws(() => parseLock('{}'), /files/);
  // Upper-case hex is accepted and compared as lower case.
  assert.deepEqual(parseLock(`{"files": {"m": {"sha256": "${HELLO_SHA256.toUpperCase()}", "size": 6}}}`), [{ path: 'm', sha256: HELLO_SHA256, size: 6 }]);
});

test('a symlink leading out of the version directory is refused, naming it', async () => {
  const outside = path.join(scratch, `outside-${dirs++}`);
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'secret.bin'), 'secret');
  const dir = versionDir({ 'model.onnx': 'hello\n' });
  mkdirSync(path.join(dir, 'weights'));
  symlinkSync(path.join(outside, 'secret.bin'), path.join(dir, 'weights', 'shard.bin'));
  await assert.rejects(hashVersionFiles(dir), /^Error: weights\/shard\.bin: a symlink that leads outside the version directory/);

  const dirLink = versionDir({ 'model.onnx': 'hello\n' });
  symlinkSync(outside, path.join(dirLink, 'data'));
  await assert.rejects(buildManifest(dirLink, context), /data: a symlink that leads outside/);

  // ../1 resolves to the version directory itself: a loop, refused too.
  const parentLink = versionDir({ 'model.onnx': 'hello\n' });
  symlinkSync('..', path.join(parentLink, 'up'));
  await assert.rejects(hashVersionFiles(parentLink), /up: a symlink that leads outside/);
  const loop = versionDir({ 'model.onnx': 'hello\n' });
  symlinkSync('.', path.join(loop, 'self'));
  await assert.rejects(hashVersionFiles(loop), /self: a symlink that loops back/);
  const dangling = versionDir({ 'model.onnx': 'hello\n' });
  symlinkSync('nowhere.bin', path.join(dangling, 'gone.bin'));
  await assert.rejects(hashVersionFiles(dangling), /gone\.bin: a symlink whose target does not exist/);
});

test('a symlink that stays inside is followed and hashed under its own name', async () => {
  const dir = versionDir({ 'model.onnx': 'hello\n' });
  symlinkSync('model.onnx', path.join(dir, 'alias.onnx'));
  assert.deepEqual(await hashVersionFiles(dir), [
    { path: 'alias.onnx', sha256: HELLO_SHA256, size: 6 },
    { path: 'model.onnx', sha256: HELLO_SHA256, size: 6 },
  ]);
});
