import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TensorSpec } from '../../runtimes/tensor.ts';
import { cellNumber, textCell } from './cells.ts';
import { resolveInputMapping, type MappingRequest } from './input-mapping.ts';
import { selectOutputs } from './output-features.ts';
import { Reservoir } from './reservoir.ts';

const spec = (name: string, datatype: TensorSpec['datatype'], shape: number[]): TensorSpec => ({ name, datatype, shape });
const map = (request: Partial<MappingRequest> & Pick<MappingRequest, 'inputs' | 'columns'>) =>
  resolveInputMapping({ outputs: [], maps: [], ...request }).map((b) => [b.input.name, b.columns, b.matrix]);

test('default mapping: 1-D inputs by name, then the only 2-D input takes the first free columns that are not outputs', () => {
  const inputs = [spec('numeric', 'FP32', [-1, 3]), spec('species', 'INT64', [-1])];
  const columns = ['petal_width', 'species', 'a', 'b', 'c', 'd'];
  assert.deepEqual(map({ inputs, columns, outputs: ['petal_width'] }), [
    ['numeric', ['a', 'b', 'c'], true],
    ['species', ['species'], false],
  ]);
});

test('explicit --map wins, in tensor column order; [batch, 1] is one column and not a matrix', () => {
  const inputs = [spec('x', 'FP32', [-1, 2]), spec('flag', 'BOOL', [-1, 1])];
  assert.deepEqual(map({ inputs, columns: ['p', 'q', 'r'], maps: [{ tensor: 'x', columns: ['r', 'p'] }, { tensor: 'flag', columns: ['q'] }] }), [
    ['x', ['r', 'p'], true],
    ['flag', ['q'], false],
  ]);
});

test('a variable-width input needs --map and then takes any number of columns', () => {
  const inputs = [spec('x', 'FP32', [-1, -1])];
  assert.throws(() => map({ inputs, columns: ['a', 'b'] }), /input "x" FP32 \[-1, -1\] \(give --map x=COL1,COL2,…\)/);
  assert.deepEqual(map({ inputs, columns: ['a', 'b'], maps: [{ tensor: 'x', columns: ['b'] }] }), [['x', ['b'], true]]);
});

test('two 2-D inputs are never mapped by position', () => {
  const inputs = [spec('x', 'FP32', [-1, 2]), spec('y', 'FP32', [-1, 2])];
  assert.throws(() => map({ inputs, columns: ['a', 'b', 'c', 'd'] }), /input "x" .*input "y"/);
});

test('a column mapped to two inputs, a rank-3 input and a [2, 4] input are refused', () => {
  const inputs = [spec('x', 'FP32', [-1]), spec('y', 'FP32', [-1])];
  assert.throws(() => map({ inputs, columns: ['a'], maps: [{ tensor: 'x', columns: ['a'] }, { tensor: 'y', columns: ['a'] }] }), /column "a" is mapped to both "x" and "y"/);
  assert.throws(() => map({ inputs: [spec('img', 'FP32', [-1, 3, 4])], columns: ['a'] }), /only \[batch\] and \[batch, columns\]/);
  assert.throws(() => map({ inputs: [spec('x', 'FP32', [2, 4])], columns: ['a'] }), /only \[batch\] and \[batch, columns\]/);
});

test('outputs: 1-D profiled by kind, [batch, k] only when named, then one feature per column', () => {
  const outputs = [spec('probabilities', 'FP32', [-1, 3]), spec('label', 'INT64', [-1]), spec('score', 'FP32', [-1, 1]), spec('map', 'FP32', [-1, 2, 2])];
  const auto = selectOutputs(outputs);
  assert.deepEqual(auto.features.map((f) => [f.name, f.kind, f.column]), [['label', 'categorical', undefined], ['score', 'numeric', undefined]]);
  assert.deepEqual(auto.skipped.map((s) => s.output), ['probabilities', 'map']);
  const named = selectOutputs(outputs, ['probabilities']);
  assert.deepEqual(named.features.map((f) => [f.name, f.column]), [['probabilities[0]', 0], ['probabilities[1]', 1], ['probabilities[2]', 2]]);
  assert.throws(() => selectOutputs(outputs, ['map']), /--outputs map: shape \[-1, 2, 2\]/);
});

test('cells: missing tokens, strict number syntax', () => {
  assert.deepEqual(['', ' NA ', 'null', 'x'].map(textCell), [null, null, null, 'x']);
  assert.deepEqual(['5.1', ' -2e3 ', '.5', 'NaN', '-Infinity'].map(cellNumber), [5.1, -2000, 0.5, Number.NaN, -Infinity]);
  assert.deepEqual(['0x10', '1_000', '12abc', 'inf'].map(cellNumber), [undefined, undefined, undefined, undefined]);
  assert.ok(Number.isNaN(cellNumber(null)));
});

test('reservoir: keeps everything up to capacity, then a seeded uniform sample', () => {
  const small = new Reservoir<number>(10);
  for (let i = 0; i < 5; i++) small.offer(i);
  assert.deepEqual(small.items(), [0, 1, 2, 3, 4]);
  const sample = (seed: number) => {
    const r = new Reservoir<number>(1000, seed);
    for (let i = 0; i < 100_000; i++) r.offer(i);
    return r.items();
  };
  assert.deepEqual(sample(1), sample(1));
  const items = sample(1);
  assert.equal(items.length, 1000);
  const mean = items.reduce((a, b) => a + b, 0) / items.length;
  assert.ok(Math.abs(mean - 50_000) < 3_000, `mean ${mean}`); // sd of the mean ≈ 913
  assert.ok(items.filter((i) => i >= 90_000).length > 50, 'the tail of the stream is sampled');
});
