/**
 * Tail probabilities for the drift tests' p-values, hand-written to avoid a dependency for
 * two functions. Accuracy: ~1e-10 relative over the ranges drift tests use, checked
 * against tabulated critical values in distributions.test.ts.
 */

// Lanczos approximation (g = 7, 9 terms), accurate to ~1e-15 for x > 0.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x); // reflection
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const EPS = 1e-15;
const MAX_ITERATIONS = 500;

/**
 * Upper regularized incomplete gamma Q(a, x) = Γ(a, x) / Γ(a), a > 0, x ≥ 0.
 * Below x < a + 1 the power series of P converges fast (Q = 1 − P); above it, the
 * continued fraction for Q (modified Lentz) does.
 */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const logPrefix = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < MAX_ITERATIONS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefix));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.min(1, Math.exp(logPrefix) * h);
}

/** P(X ≥ x) for X ~ χ²(df): the p-value of a chi-square statistic x. */
export function chiSquareSurvival(x: number, df: number): number {
  if (!(df > 0)) return Number.NaN;
  if (!(x > 0)) return 1;
  return gammaQ(df / 2, x / 2);
}

/**
 * Kolmogorov distribution's tail Q(λ) = 2 Σ_{j≥1} (−1)^(j−1) e^(−2 j² λ²): the asymptotic
 * p-value of a KS statistic scaled by √n_eff. The series converges fast for λ ≥ 0.2; below,
 * Q is 1 to ~1e-11.
 */
export function kolmogorovSurvival(lambda: number): number {
  if (!(lambda >= 0.2)) return 1;
  let sum = 0;
  for (let j = 1; j <= 100; j++) {
    const term = Math.exp(-2 * j * j * lambda * lambda);
    sum += j % 2 === 1 ? term : -term;
    if (term < 1e-16) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}
