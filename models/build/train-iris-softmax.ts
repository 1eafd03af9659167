/**
 * iris v1: multinomial logistic (softmax) regression, trained by full-batch gradient
 * descent on the cross-entropy with a small L2 penalty. Deterministic: zero init,
 * fixed learning rate and epoch count.
 */
import type { IrisClassifier } from './iris-export.ts';
import type { IrisSplit } from './iris-data.ts';
import { columnStats, flat32, softmaxInPlace, standardize, zeros } from './numeric.ts';

const EPOCHS = 1000;
const LEARNING_RATE = 0.5;
const L2 = 1e-3;
const CLASSES = 3;

export function trainIrisSoftmax(split: IrisSplit): IrisClassifier {
  const stats = columnStats(split.train.map((r) => r.features));
  const x = standardize(split.train.map((r) => r.features), stats);
  const k = stats.mean.length;
  const w = zeros(k, CLASSES);
  const bias = new Array<number>(CLASSES).fill(0);
  const probs = (row: readonly number[]) =>
    softmaxInPlace(bias.map((b, c) => row.reduce((s, v, j) => s + v * w[j]![c]!, b)));

  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const gw = zeros(k, CLASSES);
    const gb = new Array<number>(CLASSES).fill(0);
    x.forEach((row, i) => {
      const p = probs(row);
      p[split.train[i]!.species]! -= 1; // dLoss/dlogits = p - onehot
      for (let c = 0; c < CLASSES; c++) {
        gb[c]! += p[c]!;
        for (let j = 0; j < k; j++) gw[j]![c]! += p[c]! * row[j]!;
      }
    });
    for (let c = 0; c < CLASSES; c++) {
      bias[c]! -= (LEARNING_RATE * gb[c]!) / x.length;
      for (let j = 0; j < k; j++) w[j]![c]! -= LEARNING_RATE * (gw[j]![c]! / x.length + L2 * w[j]![c]!);
    }
  }

  return {
    version: '1',
    architecture: 'softmax regression (4 standardized features -> 3 classes)',
    training: `full-batch gradient descent on cross-entropy, ${EPOCHS} epochs, learning rate ${LEARNING_RATE}, L2 ${L2}, zero init.`,
    stats,
    predict: (features) => probs(standardize([[...features]], stats)[0]!),
    addLogits: (b, z) => {
      const wName = b.initializer('weights', 'FP32', [k, CLASSES], flat32(w));
      const bName = b.initializer('bias', 'FP32', [CLASSES], Float32Array.from(bias));
      return b.op('Add', [b.op('MatMul', [z, wName]), bName]);
    },
  };
}
