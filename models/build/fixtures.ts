/**
 * Fixture models for the gateway's tests (the repository test/fixtures/models/).
 * Each is tiny and exists to exercise one behaviour; the config.yaml comments say which.
 * The `slow` fixture lives in fixture-slow.ts.
 */
import { DATATYPES, type DataType } from '../../runtimes/tensor.ts';
import { renderConfig, type ModelConfig } from './config-yaml.ts';
import { ModelBuilder } from './onnx-builder.ts';
import type { ModelArtifact, VersionArtifact } from './repository.ts';

function version(dir: string, onnx: Uint8Array): VersionArtifact {
  return { dir, onnx, files: {}, examples: [], notes: [] };
}

/** identity_<dt>: INPUT0 [batch, n] -> Identity -> OUTPUT0, one per KServe datatype. */
export function identityFixture(datatype: DataType): ModelArtifact {
  const name = `identity_${datatype.toLowerCase()}`;
  const b = new ModelBuilder(name, `Identity over ${datatype}`);
  b.input('INPUT0', datatype, ['batch', 'n']);
  b.output('OUTPUT0', datatype, ['batch', 'n']);
  b.op('Identity', ['INPUT0'], {}, ['OUTPUT0']);
  const config: ModelConfig = {
    name,
    max_batch_size: 8,
    input: [{ name: 'INPUT0', datatype, dims: [-1] }],
    output: [{ name: 'OUTPUT0', datatype, dims: [-1] }],
  };
  const comment = [`OUTPUT0 == INPUT0 for any [batch, n] ${datatype} tensor (round-trip test of the datatype).`];
  if (datatype === 'BYTES') comment.push('onnxruntime-node string tensors end at a NUL character: "a\\u0000b" comes back as "a".');
  return { name, config: renderConfig(config, comment), versions: [version('1', b.encode())] };
}

/** add_sub: OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1 (output-selection tests). */
export function addSubFixture(): ModelArtifact {
  const b = new ModelBuilder('add_sub', 'Sum and difference of two FP32 vectors');
  b.input('INPUT0', 'FP32', ['batch', 4]);
  b.input('INPUT1', 'FP32', ['batch', 4]);
  b.output('OUTPUT0', 'FP32', ['batch', 4]);
  b.output('OUTPUT1', 'FP32', ['batch', 4]);
  b.op('Add', ['INPUT0', 'INPUT1'], {}, ['OUTPUT0']);
  b.op('Sub', ['INPUT0', 'INPUT1'], {}, ['OUTPUT1']);
  const io = (n: string) => ({ name: n, datatype: 'FP32' as const, dims: [4] });
  return {
    name: 'add_sub',
    config: renderConfig(
      { name: 'add_sub', max_batch_size: 8, input: [io('INPUT0'), io('INPUT1')], output: [io('OUTPUT0'), io('OUTPUT1')] },
      ['OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1 (elementwise). For output-selection tests.'],
    ),
    versions: [version('1', b.encode())],
  };
}

/**
 * fails_at_runtime: OUTPUT0 = Reshape(INPUT0, SHAPE). Loads fine; a run fails inside
 * onnxruntime when SHAPE does not fit INPUT0's element count.
 */
export function failsAtRuntimeFixture(): ModelArtifact {
  const b = new ModelBuilder('fails_at_runtime', 'Reshape to a caller-given shape; mismatching shapes fail in ORT');
  b.input('INPUT0', 'FP32', ['n']);
  b.input('SHAPE', 'INT64', [2]);
  b.output('OUTPUT0', 'FP32', ['rows', 'cols']);
  b.op('Reshape', ['INPUT0', 'SHAPE'], {}, ['OUTPUT0']);
  return {
    name: 'fails_at_runtime',
    config: renderConfig(
      {
        name: 'fails_at_runtime',
        max_batch_size: 0,
        input: [{ name: 'INPUT0', datatype: 'FP32', dims: [-1] }, { name: 'SHAPE', datatype: 'INT64', dims: [2] }],
        output: [{ name: 'OUTPUT0', datatype: 'FP32', dims: [-1, -1] }],
      },
      [
        'OUTPUT0 = Reshape(INPUT0, SHAPE). Every request passes validation; the run itself',
        'fails inside onnxruntime when SHAPE does not fit INPUT0. With INPUT0 of 4 elements:',
        '  succeeds: SHAPE [2, 2], [1, 4], [4, 1], [-1, 2] (-1 is inferred);',
        '  fails:    SHAPE [3, 2], [2, 3], [-1, 3], [-1, -1], [0, 4] (0 copies the input dim: 4x4).',
      ],
    ),
    versions: [version('1', b.encode())],
  };
}

function doubler(name: string): Uint8Array {
  const b = new ModelBuilder(name, 'OUTPUT0 = 2 * INPUT0');
  b.input('INPUT0', 'FP32', ['batch', 3]);
  b.output('OUTPUT0', 'FP32', ['batch', 3]);
  b.op('Mul', ['INPUT0', b.initializer('two', 'FP32', [], new Float32Array([2]))], {}, ['OUTPUT0']);
  return b.encode();
}

/** no_config: a valid model and no config.yaml, for config auto-completion from the model. */
export function noConfigFixture(): ModelArtifact {
  return { name: 'no_config', config: null, versions: [version('1', doubler('no_config'))] };
}

/** bad_config: a valid model whose config.yaml fails validation (max_batch_size is not a number). */
export function badConfigFixture(): ModelArtifact {
  const config = [
    '# Invalid on purpose: max_batch_size must be an integer. The model itself is valid',
    '# (OUTPUT0 = 2 * INPUT0, FP32 [batch, 3]); the server must reject this config, not crash.',
    'name: bad_config',
    'platform: onnxruntime_onnx',
    'max_batch_size: "lots"',
    'input:',
    '  - name: INPUT0',
    '    datatype: FP32',
    '    dims: [3]',
    'output:',
    '  - name: OUTPUT0',
    '    datatype: FP32',
    '    dims: [3]',
    '',
  ].join('\n');
  return { name: 'bad_config', config, versions: [version('1', doubler('bad_config'))] };
}

/**
 * versions: OUTPUT0 = INPUT0 + <version> in dirs 1, 2, 3, plus '0' (+0) and 'latest'
 * (+1000), which the server must ignore. Policy latest 2 -> versions 2 and 3 load.
 */
export function versionsFixture(): ModelArtifact {
  const plus = (n: number) => {
    const b = new ModelBuilder('versions', `OUTPUT0 = INPUT0 + ${n}`);
    b.input('INPUT0', 'FP32', ['batch', 'n']);
    b.output('OUTPUT0', 'FP32', ['batch', 'n']);
    b.op('Add', ['INPUT0', b.initializer('offset', 'FP32', [], new Float32Array([n]))], {}, ['OUTPUT0']);
    return b.encode();
  };
  return {
    name: 'versions',
    config: renderConfig(
      {
        name: 'versions',
        max_batch_size: 8,
        input: [{ name: 'INPUT0', datatype: 'FP32', dims: [-1] }],
        output: [{ name: 'OUTPUT0', datatype: 'FP32', dims: [-1] }],
        version_policy: { latest: { num_versions: 2 } },
      },
      [
        'OUTPUT0 = INPUT0 + N in version dir N (1, 2, 3), so responses tell versions apart.',
        'Dirs 0/ (+0) and latest/ (+1000) hold valid models too but are not versions: the',
        'server must ignore them. With this policy versions 2 and 3 are served.',
      ],
    ),
    versions: [version('0', plus(0)), version('1', plus(1)), version('2', plus(2)), version('3', plus(3)), version('latest', plus(1000))],
  };
}

/**
 * batching: OUTPUT0 = INPUT0 + 1 over FP32 [batch, n], with dynamic batching and a
 * 20 ms queue delay so that concurrent requests are concatenated into one run.
 */
export function batchingFixture(): ModelArtifact {
  const b = new ModelBuilder('batching', 'OUTPUT0 = INPUT0 + 1');
  b.input('INPUT0', 'FP32', ['batch', 'n']);
  b.output('OUTPUT0', 'FP32', ['batch', 'n']);
  b.op('Add', ['INPUT0', b.initializer('one', 'FP32', [], new Float32Array([1]))], {}, ['OUTPUT0']);
  return {
    name: 'batching',
    config: renderConfig(
      {
        name: 'batching',
        max_batch_size: 16,
        input: [{ name: 'INPUT0', datatype: 'FP32', dims: [-1] }],
        output: [{ name: 'OUTPUT0', datatype: 'FP32', dims: [-1] }],
        instance_count: 1,
        dynamic_batching: { max_queue_delay_microseconds: 20000, max_queue_size: 64 },
      },
      [
        'OUTPUT0 = INPUT0 + 1. Dynamic batching with a 20 ms queue delay: concurrent requests',
        'with the same n are concatenated into one run; requests with different n never mix.',
      ],
    ),
    versions: [version('1', b.encode())],
  };
}

/** Every fixture except `slow` (see fixture-slow.ts). */
export function fixtureModels(): ModelArtifact[] {
  return [
    ...DATATYPES.map(identityFixture),
    addSubFixture(),
    failsAtRuntimeFixture(),
    noConfigFixture(),
    badConfigFixture(),
    versionsFixture(),
    batchingFixture(),
  ];
}
