/**
 * iris v2: a multilayer perceptron with one tanh hidden layer (4 -> 8 -> 3), trained
 * by full-batch gradient descent with momentum on the cross-entropy. Weights start
 * from a seeded normal draw, so training is reproducible.
 */
import type { IrisClassifier } from './iris-export.ts';
import type { IrisSplit } from './iris-data.ts';
import { columnStats, flat32, softmaxInPlace, standardize, zeros } from './numeric.ts';
import { Prng } from './prng.ts';

const HIDDEN = 8;
const CLASSES = 3;
const EPOCHS = 2000;
const LEARNING_RATE = 0.1;
const MOMENTUM = 0.9;
const SEED = 7;

interface Params { w1: number[][]; b1: number[]; w2: number[][]; b2: number[] }

function forward(p: Params, row: readonly number[]): { h: number[]; probs: number[] } {
  const h = p.b1.map((b, u) => Math.tanh(row.reduce((s, v, j) => s + v * p.w1[j]![u]!, b)));
  const logits = p.b2.map((b, c) => h.reduce((s, v, u) => s + v * p.w2[u]![c]!, b));
  return { h, probs: softmaxInPlace(logits) };
}

/** The parameter rows (matrix rows and bias vectors) of a set, in a fixed order. */
function rows(p: Params): number[][] {
  return [...p.w1, p.b1, ...p.w2, p.b2];
}

export function trainIrisMlp(split: IrisSplit): IrisClassifier {
  const stats = columnStats(split.train.map((r) => r.features));
  const x = standardize(split.train.map((r) => r.features), stats);
  const k = stats.mean.length;
  const rng = new Prng(SEED);
  const init = (n: number, cols: number, scale: number) =>
    Array.from({ length: n }, () => Array.from({ length: cols }, () => rng.normal() * scale));
  const p: Params = { w1: init(k, HIDDEN, 1 / Math.sqrt(k)), b1: new Array(HIDDEN).fill(0), w2: init(HIDDEN, CLASSES, 1 / Math.sqrt(HIDDEN)), b2: new Array(CLASSES).fill(0) };
  const fresh = (): Params => ({ w1: zeros(k, HIDDEN), b1: new Array(HIDDEN).fill(0), w2: zeros(HIDDEN, CLASSES), b2: new Array(CLASSES).fill(0) });
  const velocity = fresh();

  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const g = fresh();
    x.forEach((row, i) => {
      const { h, probs } = forward(p, row);
      probs[split.train[i]!.species]! -= 1; // dLoss/dlogits
      for (let u = 0; u < HIDDEN; u++) {
        let dh = 0;
        for (let c = 0; c < CLASSES; c++) {
          g.w2[u]![c]! += h[u]! * probs[c]!;
          dh += p.w2[u]![c]! * probs[c]!;
        }
        const dz = dh * (1 - h[u]! * h[u]!); // tanh'
        g.b1[u]! += dz;
        for (let j = 0; j < k; j++) g.w1[j]![u]! += row[j]! * dz;
      }
      for (let c = 0; c < CLASSES; c++) g.b2[c]! += probs[c]!;
    });
    const [pr, gr, vr] = [rows(p), rows(g), rows(velocity)];
    pr.forEach((param, r) => {
      for (let i = 0; i < param.length; i++) {
        vr[r]![i] = MOMENTUM * vr[r]![i]! - (LEARNING_RATE * gr[r]![i]!) / x.length;
        param[i]! += vr[r]![i]!;
      }
    });
  }

  return {
    version: '2',
    architecture: `MLP (4 standardized features -> ${HIDDEN} tanh -> 3 classes)`,
    training: `full-batch gradient descent with momentum ${MOMENTUM} on cross-entropy, ${EPOCHS} epochs, learning rate ${LEARNING_RATE}, seeded normal init (seed ${SEED}).`,
    stats,
    predict: (features) => forward(p, standardize([[...features]], stats)[0]!).probs,
    addLogits: (b, z) => {
      const w1 = b.initializer('w1', 'FP32', [k, HIDDEN], flat32(p.w1));
      const b1 = b.initializer('b1', 'FP32', [HIDDEN], Float32Array.from(p.b1));
      const w2 = b.initializer('w2', 'FP32', [HIDDEN, CLASSES], flat32(p.w2));
      const b2 = b.initializer('b2', 'FP32', [CLASSES], Float32Array.from(p.b2));
      const hidden = b.op('Tanh', [b.op('Add', [b.op('MatMul', [z, w1]), b1])]);
      return b.op('Add', [b.op('MatMul', [hidden, w2]), b2]);
    },
  };
}
