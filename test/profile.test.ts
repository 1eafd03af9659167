/**
 * `modelgate profile` end to end: the real CLI as a subprocess against temporary copies of
 * the sample models. Success writes a valid reference.json whose features sit where the
 * model reads them and whose label shares are the model's own predictions; every kind of
 * bad input exits 2 with a message naming the problem and writes nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { parseReferenceProfile, type CategoricalFeatureProfile, type ReferenceProfile } from '../gateway/monitoring/drift/reference-profile.ts';
import { createReferenceProfile } from '../gateway/profile/profile-version.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const CLI = join(ROOT, 'bin/modelgate.js');
const IRIS_CSV = join(ROOT, 'models/iris/1/training-data.csv');
const PETAL_CSV = join(ROOT, 'models/iris_petal_width/1/training-data.csv');
const IRIS_COLUMNS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
const SENTINEL = '{"sentinel": "an existing reference.json"}\n';

const scratch = mkdtempSync(join(tmpdir(), 'modelgate-profile-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let repos = 0;

/** A fresh repository with copies of the sample models, without their reference.json. */
function makeRepo(): string {
  const repo = join(scratch, `repo${repos++}`);
  for (const model of ['iris', 'iris_petal_width']) {
    cpSync(join(ROOT, 'models', model), join(repo, model), { recursive: true });
    for (const version of readdirSync(join(repo, model)).filter((d) => /^\d+$/.test(d))) rmSync(join(repo, model, version, 'reference.json'), { force: true });
  }
  return repo;
}

function dataFile(name: string, text: string): string {
  const file = join(scratch, `${repos++}-${name}`);
  writeFileSync(file, text);
  return file;
}

interface Run { code: number; stdout: string; stderr: string }

function profile(repo: string, ...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, 'profile', '--model-repository', repo, ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

function readProfile(repo: string, model: string, version: string): ReferenceProfile {
  return parseReferenceProfile(JSON.parse(readFileSync(join(repo, model, version, 'reference.json'), 'utf8')));
}

function csv(path: string): { header: string[]; rows: string[][] } {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  return { header: head!.split(','), rows: lines.map((l) => l.split(',')) };
}

/** CSV → JSON lines, numbers as JSON numbers. */
function toJsonLines(path: string): string {
  const { header, rows } = csv(path);
  return rows.map((r) => JSON.stringify(Object.fromEntries(header.map((h, i) => [h, Number(r[i])])))).join('\n') + '\n';
}

/** The label shares the model itself predicts on a CSV of iris rows, as category → share. */
async function predictedShares(modelPath: string, path: string): Promise<Map<string, number>> {
  const { rows } = csv(path);
  const session = await ort.InferenceSession.create(readFileSync(modelPath), { intraOpNumThreads: 1 });
  try {
    const input = new ort.Tensor('float32', Float32Array.from(rows.flatMap((r) => r.slice(0, 4).map(Number))), [rows.length, 4]);
    const labels = (await session.run({ input }))['label']!.data as BigInt64Array;
    const shares = new Map<string, number>();
    for (const l of labels) shares.set(String(l), (shares.get(String(l)) ?? 0) + 1 / rows.length);
    return shares;
  } finally {
    await session.release();
  }
}

function sharesOf(feature: CategoricalFeatureProfile): Map<string, number> {
  return new Map(feature.categories.map((c, i) => [c, feature.shares[i]!]));
}

describe('modelgate profile writes reference.json', { concurrency: 4 }, () => {
  for (const version of ['1', '2']) {
    test(`iris/${version}: 4 numeric features on input columns 0..3, label shares = the model's predictions`, async () => {
      const repo = makeRepo();
      const run = await profile(repo, '--model', 'iris', '--version', version, '--data', IRIS_CSV);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /wrote .*iris\/\d\/reference\.json: iris version \d, 120 rows/);
      assert.match(run.stdout, /skipped probabilities: 3 columns per row/);
      const written = readProfile(repo, 'iris', version);
      assert.equal(written.sampleSize, 120);
      assert.deepEqual(written.features.map((f) => [f.name, f.kind, f.source]), IRIS_COLUMNS.map((c, i) => [c, 'numeric', { tensor: 'input', column: i }]));
      assert.equal(written.outputs.length, 1);
      const label = written.outputs[0]!;
      assert.equal(label.name, 'label');
      assert.equal(label.kind, 'categorical');
      assert.deepEqual(label.source, { tensor: 'label' });
      assert.equal(label.count, 120);
      const expected = await predictedShares(join(repo, 'iris', version, 'model.onnx'), IRIS_CSV);
      const actual = sharesOf(label as CategoricalFeatureProfile);
      assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
      for (const [c, share] of expected) assert.ok(Math.abs(actual.get(c)! - share) < 1e-12, `label ${c}: ${actual.get(c)} vs ${share}`);
      assert.equal(label.shares.at(-1), 0, 'no "other" share');
      // The committed sample profile is made by the same code from the same file.
      assert.deepEqual(written.features, readProfile(join(ROOT, 'models'), 'iris', version).features);
      assert.deepEqual(readdirSync(join(repo, 'iris', version)).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
    });
  }

  test('iris_petal_width: numeric columns 0..2, a categorical species feature, a numeric petal_width output', async () => {
    const repo = makeRepo();
    const run = await profile(repo, '--model', 'iris_petal_width', '--version', '1', '--data', PETAL_CSV);
    assert.equal(run.code, 0, run.stderr);
    const written = readProfile(repo, 'iris_petal_width', '1');
    assert.deepEqual(written.features.map((f) => [f.name, f.kind, f.source]), [
      ['sepal_length', 'numeric', { tensor: 'numeric', column: 0 }],
      ['sepal_width', 'numeric', { tensor: 'numeric', column: 1 }],
      ['petal_length', 'numeric', { tensor: 'numeric', column: 2 }],
      ['species', 'categorical', { tensor: 'species' }],
    ]);
    const species = written.features[3] as CategoricalFeatureProfile;
    assert.deepEqual([...species.categories].sort(), ['0', '1', '2']);
    const counts = new Map<string, number>();
    for (const r of csv(PETAL_CSV).rows) counts.set(r[3]!, (counts.get(r[3]!) ?? 0) + 1);
    for (const [c, n] of counts) assert.equal(sharesOf(species).get(c), n / 120);
    assert.deepEqual(written.outputs.map((f) => [f.name, f.kind, f.source]), [['petal_width', 'numeric', { tensor: 'petal_width' }]]);
    assert.equal(written.outputs[0]!.count, 120);
  });

  test('JSON lines give the same profile as the CSV they were made from', async () => {
    const repo = makeRepo();
    const jsonl = dataFile('petal.jsonl', toJsonLines(PETAL_CSV));
    const run = await profile(repo, '--model', 'iris_petal_width', '--version', '1', '--data', jsonl);
    assert.equal(run.code, 0, run.stderr);
    const fromJsonl = readProfile(repo, 'iris_petal_width', '1');
    assert.equal((await profile(repo, '--model', 'iris_petal_width', '--version', '1', '--data', PETAL_CSV)).code, 0);
    const fromCsv = readProfile(repo, 'iris_petal_width', '1');
    assert.deepEqual(fromJsonl, fromCsv);
    // --format overrides the extension.
    const unnamed = dataFile('petal.txt', toJsonLines(PETAL_CSV));
    assert.equal((await profile(repo, '--model', 'iris_petal_width', '--version', '1', '--data', unnamed, '--format', 'jsonl')).code, 0);
  });

  test('--map, --outputs, --categorical, --bins and --max-rows; an existing reference.json is replaced', async () => {
    const repo = makeRepo();
    writeFileSync(join(repo, 'iris', '2', 'reference.json'), SENTINEL);
    const args = [
      '--model', 'iris', '--version', '2', '--data', IRIS_CSV,
      '--map', 'input=petal_width,petal_length,sepal_width,sepal_length',
      '--outputs', 'probabilities,label', '--categorical', 'petal_width', '--bins', '4', '--max-rows', '50',
    ];
    const run = await profile(repo, ...args);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /50 sampled of 120 rows/);
    const written = readProfile(repo, 'iris', '2');
    assert.equal(written.sampleSize, 50);
    assert.deepEqual(written.features.map((f) => [f.name, f.kind, f.source]), [
      ['petal_width', 'categorical', { tensor: 'input', column: 0 }],
      ['petal_length', 'numeric', { tensor: 'input', column: 1 }],
      ['sepal_width', 'numeric', { tensor: 'input', column: 2 }],
      ['sepal_length', 'numeric', { tensor: 'input', column: 3 }],
    ]);
    for (const f of written.features) if (f.kind === 'numeric') assert.ok(f.edges.length <= 3, `${f.name}: ${f.edges.length + 1} bins`);
    assert.deepEqual(written.outputs.map((f) => [f.name, f.kind, f.source]), [
      ['probabilities[0]', 'numeric', { tensor: 'probabilities', column: 0 }],
      ['probabilities[1]', 'numeric', { tensor: 'probabilities', column: 1 }],
      ['probabilities[2]', 'numeric', { tensor: 'probabilities', column: 2 }],
      ['label', 'categorical', { tensor: 'label' }],
    ]);
    // The sample is seeded: the same flags give the same file.
    const first = readFileSync(join(repo, 'iris', '2', 'reference.json'), 'utf8');
    assert.equal((await profile(repo, ...args)).code, 0);
    assert.equal(readFileSync(join(repo, 'iris', '2', 'reference.json'), 'utf8'), first);
  });
});

describe('modelgate profile refuses bad input: exit 2, a message naming the problem, nothing written', { concurrency: 4 }, () => {
  const irisText = readFileSync(IRIS_CSV, 'utf8');
  const irisLines = irisText.trim().split('\n');
  const petalText = readFileSync(PETAL_CSV, 'utf8');

  interface BadCase {
    name: string;
    /** Flags after --model-repository; `repo` is the temporary repository (for symlink cases). */
    args: (repo: string) => string[];
    message: RegExp;
    /** Prepares the repository (symlinks) before the run. */
    setup?: (repo: string) => void;
  }
  const iris = (data: string, ...more: string[]) => ['--model', 'iris', '--version', '1', '--data', data, ...more];

  const cases: BadCase[] = [
    { name: 'ragged CSV row', args: () => iris(dataFile('ragged.csv', [...irisLines.slice(0, 3), '5.0,3.4,1.5,0', ...irisLines.slice(3)].join('\n'))), message: /ragged\.csv line 4: malformed CSV: 4 fields, but the header has 5/ },
    { name: 'unclosed CSV quote', args: () => iris(dataFile('quote.csv', `${irisText}"5.0,3.4\n`)), message: /quote\.csv: malformed CSV: .*[Qq]uote/ },
    { name: 'malformed JSON line', args: () => iris(dataFile('bad.jsonl', toJsonLines(IRIS_CSV).replace(/\n.*?\n/, '\n{"sepal_length": 5.1,\n'))), message: /bad\.jsonl line 2: malformed JSON line/ },
    { name: 'JSON line that is not an object', args: () => iris(dataFile('array.jsonl', `${toJsonLines(IRIS_CSV)}[1, 2, 3]\n`)), message: /array\.jsonl line 121: expected a JSON object/ },
    { name: 'JSON value that is an object', args: () => iris(dataFile('nested.jsonl', `{"sepal_length": {"cm": 5}}\n`)), message: /nested\.jsonl line 1, column "sepal_length": expected a number, a string or null/ },
    { name: 'non-numeric value', args: () => iris(dataFile('text.csv', irisText.replace(irisLines[5]!, irisLines[5]!.replace(/^([^,]*),[^,]*/, '$1,wide')))), message: /text\.csv line 6, column "sepal_width": expected a number for FP32 input "input", got "wide"/ },
    { name: 'non-integer species', args: () => ['--model', 'iris_petal_width', '--version', '1', '--data', dataFile('species.csv', petalText.replace(/\n(([^,]*,){3})0,/, '\n$10.5,'))], message: /species\.csv line 2, column "species": expected an integer for INT64 input "species", got "0\.5"/ },
    { name: 'header only', args: () => iris(dataFile('header.csv', `${irisLines[0]}\n`)), message: /header\.csv: no data rows/ },
    { name: 'empty CSV file', args: () => iris(dataFile('empty.csv', '')), message: /empty\.csv: empty file/ },
    { name: 'empty JSONL file', args: () => iris(dataFile('empty.jsonl', '')), message: /empty\.jsonl: empty file/ },
    { name: 'no such data file', args: () => iris(join(scratch, 'absent.csv')), message: /absent\.csv: no such file/ },
    { name: 'unknown extension', args: () => iris(dataFile('data.txt', irisText)), message: /data\.txt: cannot tell the format .*--format/ },
    { name: '--map: unknown column', args: () => iris(IRIS_CSV, '--map', 'input=sepal_length,sepal_width,petal_length,petal_area'), message: /--map input=…: no column "petal_area" in the data \(columns: sepal_length, sepal_width, petal_length, petal_width, label\)/ },
    { name: '--map: column count', args: () => iris(IRIS_CSV, '--map', 'input=sepal_length,sepal_width,petal_length'), message: /input "input" \[-1, 4\] takes 4 columns, got 3/ },
    { name: '--map: unknown input', args: () => iris(IRIS_CSV, '--map', 'features=sepal_length'), message: /--map features=…: the model has no input "features" \(inputs: "input"\)/ },
    { name: '--map: malformed', args: () => iris(IRIS_CSV, '--map', 'input'), message: /--map "input": expected TENSOR=COLUMN/ },
    { name: 'an input the data does not feed', args: () => ['--model', 'iris_petal_width', '--version', '1', '--data', IRIS_CSV], message: /does not feed every model input: input "species" INT64 \[-1\] \(give --map species=COLUMN\)/ },
    { name: 'too few columns for the default mapping', args: () => iris(dataFile('narrow.csv', 'a,b,label\n1,2,0\n')), message: /input "input" FP32 \[-1, 4\] \(give --map input=COL1,COL2,COL3,COL4\); data columns: a, b, label/ },
    { name: '--outputs: unknown output', args: () => iris(IRIS_CSV, '--outputs', 'score'), message: /--outputs score: the model has no output "score" \(outputs: "probabilities", "label"\)/ },
    { name: '--categorical: unknown feature', args: () => iris(IRIS_CSV, '--categorical', 'label_text'), message: /--categorical label_text: not a profiled feature/ },
    { name: '--bins: not an integer', args: () => iris(IRIS_CSV, '--bins', 'ten'), message: /--bins: expected an integer from 2 to 1000, got "ten"/ },
    { name: 'unknown flag', args: () => iris(IRIS_CSV, '--bogus'), message: /unknown option '--bogus'/ },
    { name: 'unknown model', args: () => ['--model', 'roses', '--version', '1', '--data', IRIS_CSV], message: /unknown model "roses" in .* \(models: iris, iris_petal_width\)/ },
    { name: 'unknown version', args: () => ['--model', 'iris', '--version', '9', '--data', IRIS_CSV], message: /model "iris" version 9 does not exist \(versions: 1, 2\)/ },
    { name: 'version that is not a number', args: () => ['--model', 'iris', '--version', '01', '--data', IRIS_CSV], message: /--version "01": expected a version number/ },
    { name: 'model name with ..', args: () => ['--model', '../iris', '--version', '1', '--data', IRIS_CSV], message: /--model "\.\.\/iris": not a model name/ },
    {
      name: 'model directory that escapes the repository',
      setup: (repo) => symlinkSync(join(ROOT, 'models', 'iris'), join(repo, 'outside')),
      args: () => ['--model', 'outside', '--version', '1', '--data', IRIS_CSV],
      message: /model "outside" resolves outside the model repository/,
    },
    {
      name: 'a tfjs platform that model.json contradicts',
      setup: (repo) => {
        cpSync(join(ROOT, 'test/fixtures/tfjs-models/iris_graph'), join(repo, 'mislabeled'), { recursive: true });
        writeFileSync(join(repo, 'mislabeled', 'config.yaml'), 'platform: tfjs_layers_model\n');
      },
      args: () => ['--model', 'mislabeled', '--version', '1', '--data', IRIS_CSV],
      message: /model "mislabeled" version 1: config\.yaml platform tfjs_layers_model, but model\.json is a graph-model/,
    },
    {
      name: 'version directory that escapes the repository',
      setup: (repo) => symlinkSync(join(ROOT, 'models', 'iris', '1'), join(repo, 'iris', '3')),
      args: () => ['--model', 'iris', '--version', '3', '--data', IRIS_CSV],
      message: /model "iris" version 3 resolves outside the model repository/,
    },
  ];

  for (const c of cases) {
    test(c.name, async () => {
      const repo = makeRepo();
      c.setup?.(repo);
      // iris/1 (the target of most cases) holds an existing profile, which must stay as it is;
      // iris/2 and iris_petal_width/1 hold none, and must still hold none.
      writeFileSync(join(repo, 'iris', '1', 'reference.json'), SENTINEL);
      const before = listing(repo);
      const run = await profile(repo, ...c.args(repo));
      assert.equal(run.code, 2, `exit status (stderr: ${run.stderr})`);
      assert.match(run.stderr, c.message);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(run.stdout, '');
      assert.equal(readFileSync(join(repo, 'iris', '1', 'reference.json'), 'utf8'), SENTINEL);
      assert.deepEqual(listing(repo), before, 'nothing written');
    });
  }
});

/** Every path under a repository (not following symlinks), sorted. */
function listing(repo: string): string[] {
  return readdirSync(repo, { recursive: true, encoding: 'utf8' }).sort();
}

describe('missing values (in process)', () => {
  test('null, "NA", empty and absent keys are missing; rows with a missing input are not run', async () => {
    const repo = makeRepo();
    const lines = toJsonLines(PETAL_CSV).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    lines[0]!['sepal_width'] = null;
    lines[1]!['petal_length'] = 'NA';
    lines[2]!['sepal_length'] = '';
    delete lines[3]!['species'];
    const data = dataFile('missing.jsonl', lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const report = await createReferenceProfile({ repository: repo, model: 'iris_petal_width', version: '1', data });
    assert.equal(report.rowsSampled, 120);
    assert.equal(report.rowsRun, 116);
    const byName = new Map(report.profile.features.map((f) => [f.name, f]));
    for (const name of ['sepal_length', 'sepal_width', 'petal_length', 'species']) {
      assert.equal(byName.get(name)!.missingShare, 1 / 120, name);
      assert.equal(byName.get(name)!.count, 119, name);
    }
    const output = report.profile.outputs[0]!;
    assert.equal(output.count, 116);
    assert.equal(output.missingShare, 4 / 120);
    assert.equal(existsSync(join(repo, 'iris_petal_width', '1', 'reference.json')), false, 'createReferenceProfile writes nothing');
  });

  test('a model that fails on a row names the row', async () => {
    const repo = makeRepo();
    const data = dataFile('species3.csv', readFileSync(PETAL_CSV, 'utf8').replace(/\n(([^,]*,){3})0,/, '\n$17,'));
    await assert.rejects(
      createReferenceProfile({ repository: repo, model: 'iris_petal_width', version: '1', data }),
      /species3\.csv line 2: the model fails on this row/,
    );
  });
});
