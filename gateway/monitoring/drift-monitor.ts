import type { NamedTensors, TensorSpec } from '../../runtimes/tensor.ts';
import { DriftBinner } from './drift/binner.ts';
import { createWindow, type DriftWindow } from './drift/windows.ts';
import { DriftDetector, resolveDriftConfig, type DriftConfig, type DriftConfigInput, type ModelVerdict } from './drift/detector.ts';
import type { FeatureProfile, ReferenceProfile } from './drift/reference-profile.ts';
import type { MonitoringConfig } from '../repository/model-config.ts';
import type { ServedSignature } from '../repository/resolve-config.ts';
import { planFeatures, type FeaturePlan } from './feature-sources.ts';

/**
 * One side (inputs or outputs) of a version's monitoring: the features it bins,
 * where they are in the tensors, the cumulative counts (for Prometheus) and the
 * sliding window the detector judges.
 */
export class MonitoredSide {
  readonly binner: DriftBinner;
  readonly window: DriftWindow;
  readonly detector: DriftDetector;

  constructor(readonly features: readonly FeatureProfile[], private readonly plans: readonly FeaturePlan[], config: DriftConfig) {
    this.binner = new DriftBinner(features);
    this.window = createWindow(this.binner.layout, config.window);
    this.detector = new DriftDetector(features, config);
  }

  /** Bins every monitored feature of one request or batch: O(features) per row, no allocation per row. */
  observe(tensors: NamedTensors): void {
    for (const plan of this.plans) {
      const tensor = tensors[plan.tensor];
      if (tensor === undefined) continue; // an output the request did not ask for
      this.binner.observeColumn(plan.feature, tensor.data, plan.stride, plan.offset);
    }
    this.binner.flush([this.window]);
  }

  verdict(): ModelVerdict {
    return this.detector.evaluate(this.window.read());
  }
}

/** Input and output monitoring of one model version against its reference profile. */
export class DriftMonitor {
  readonly config: DriftConfig;
  readonly inputs: MonitoredSide;
  readonly outputs: MonitoredSide;

  constructor(profile: ReferenceProfile, signature: ServedSignature, settings: MonitoringConfig | undefined) {
    this.config = resolveDriftConfig(driftConfigInput(settings));
    this.inputs = side(profile.features, signature.inputs, 'input', settings?.features, this.config);
    this.outputs = side(profile.outputs, signature.outputs, 'output', settings?.outputs, this.config);
  }
}

function side(all: readonly FeatureProfile[], tensors: readonly TensorSpec[], role: 'input' | 'output', selected: readonly string[] | undefined, config: DriftConfig): MonitoredSide {
  // Plan over the full list first: implicit column mapping follows the profile's order.
  const plans = planFeatures(all, tensors, role);
  const keep = selected === undefined ? all.map((_, i) => i) : selected.map((name) => {
    const index = all.findIndex((f) => f.name === name);
    if (index < 0) throw new Error(`config.yaml monitoring.${role === 'input' ? 'features' : 'outputs'}: "${name}" is not in reference.json`);
    return index;
  });
  return new MonitoredSide(
    keep.map((i) => matchPrecision(all[i]!, tensors.find((t) => t.name === plans[i]!.tensor)?.datatype)),
    keep.map((i, feature) => ({ ...plans[i]!, feature })),
    config,
  );
}

/**
 * Reference edges are float64 data values (e.g. 5.1), while an FP32 request
 * carries float32(5.1) = 5.0999999…, which would fall below its own edge.
 * Rounding the edges the same way as the data keeps a value in the bin the
 * reference put it in (rounding is monotonic). Edges that would collapse stay as they are.
 */
function matchPrecision(feature: FeatureProfile, datatype: string | undefined): FeatureProfile {
  if (feature.kind !== 'numeric' || (datatype !== 'FP32' && datatype !== 'FP16')) return feature;
  const edges = feature.edges.map((e) => Math.fround(e));
  const increasing = edges.every((e, i) => i === 0 || e > edges[i - 1]!);
  return increasing ? { ...feature, edges } : feature;
}

function driftConfigInput(settings: MonitoringConfig | undefined): DriftConfigInput {
  const input: DriftConfigInput = {};
  if (settings === undefined) return input;
  if (settings.window !== undefined) input.window = settings.window;
  if (settings.min_samples !== undefined) input.minSamples = settings.min_samples;
  if (settings.numeric_method !== undefined) input.numericMethod = settings.numeric_method;
  if (settings.categorical_method !== undefined) input.categoricalMethod = settings.categorical_method;
  if (settings.thresholds !== undefined) input.thresholds = settings.thresholds;
  if (settings.model_drift_share !== undefined) input.modelDriftShare = settings.model_drift_share;
  return input;
}
