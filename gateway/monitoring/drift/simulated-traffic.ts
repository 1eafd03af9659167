/**
 * Seeded synthetic traffic for the drift quality measurement (`quality.ts`) and the tests:
 * a small PRNG and a fixed set of features with known shapes. Deterministic for a seed, so
 * tables and tests reproduce exactly.
 */
import { Prng } from '../../../models/build/prng.ts';

/** The build's seeded mulberry32 generator, with a normal() that keeps the second Box–Muller value. */
export class Rng extends Prng {
  private spare = Number.NaN;

  /** Standard normal (Box–Muller, the second value kept for the next call). */
  override normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = Number.NaN;
      return z;
    }
    const u = 1 - this.next(); // (0, 1]: log(u) finite
    const r = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(angle);
    return r * Math.cos(angle);
  }

  /** Index drawn with the given probabilities (summing to 1). */
  pick(probabilities: readonly number[]): number {
    let u = this.next();
    for (let i = 0; i < probabilities.length - 1; i++) {
      u -= probabilities[i] as number;
      if (u < 0) return i;
    }
    return probabilities.length - 1;
  }
}

export interface SimulatedFeature {
  name: string;
  kind: 'numeric' | 'categorical';
  draw(rng: Rng): number;
}

const CATEGORY_SHARES = [0.4, 0.25, 0.2, 0.1, 0.05];

/** Normal, two skewed, a discrete numeric and a categorical (class codes 0..4) feature. */
export const SIMULATED_FEATURES: readonly SimulatedFeature[] = [
  { name: 'normal', kind: 'numeric', draw: (rng) => rng.normal() },
  { name: 'lognormal', kind: 'numeric', draw: (rng) => Math.exp(0.75 * rng.normal()) },
  { name: 'exponential', kind: 'numeric', draw: (rng) => -Math.log(1 - rng.next()) },
  { name: 'discrete', kind: 'numeric', draw: (rng) => poisson(rng, 3) },
  { name: 'category', kind: 'categorical', draw: (rng) => rng.pick(CATEGORY_SHARES) },
];

/** Knuth's multiplication method; fine for small means. */
function poisson(rng: Rng, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

/**
 * Fills `out` (row-major [rows, features]) with rows drawn from the features; `shift[f]` is
 * added to feature f's values (0 for none): the simulated mean shift.
 */
export function fillRows(rng: Rng, features: readonly SimulatedFeature[], out: Float64Array, shift: Float64Array): void {
  const width = features.length;
  for (let start = 0; start < out.length; start += width) {
    for (let f = 0; f < width; f++) out[start + f] = (features[f] as SimulatedFeature).draw(rng) + (shift[f] as number);
  }
}
