import type { NamedTensors, Tensor } from '../../runtimes/tensor.ts';
import type { ServedModel } from '../models/model-registry.ts';
import type { ModelVersion } from '../models/model-version.ts';
import type { ShadowMetrics } from '../monitoring/shadow-metrics.ts';
import { disagrees } from './shadow-compare.ts';

/**
 * Shadow traffic for one request, decided before the primary runs (its inputs
 * are transferred to the primary's worker, so the mirror needs its own copy)
 * and started only after the primary answered: shadow work never delays or
 * fails the primary response, and it is shed first when the shadow is busy.
 * Returns undefined when this request is not mirrored.
 */
export function prepareShadow(
  model: ServedModel,
  primary: ModelVersion,
  inputs: NamedTensors,
  outputNames: readonly string[],
  metrics: ShadowMetrics,
  random: () => number = Math.random,
): ((primaryOutputs: NamedTensors) => void) | undefined {
  const spec = model.traffic?.spec.shadow;
  if (spec === undefined || spec.version === primary.version || random() >= spec.share) return undefined;
  const shadow = model.versions.get(spec.version);
  if (shadow === undefined || shadow.state !== 'READY') return undefined;
  const sameOutputs = outputNames.every((name) => shadow.signature?.outputs.some((o) => o.name === name));
  if (!sameOutputs) return undefined;
  const record = metrics.observe.bind(metrics, primary.model, primary.version, shadow.version);
  if (shadow.inflight >= spec.max_inflight) {
    record('shed');
    return undefined;
  }
  const copy = copyTensors(inputs);
  return (primaryOutputs) => {
    const started = performance.now();
    // Mirrored requests are real work of the shadow version: its request log (latency,
    // errors) counts them, so a shadow-only rollout step has candidate samples to judge.
    const done = (failed: boolean): number => {
      const seconds = (performance.now() - started) / 1000;
      shadow.requestLog.record(Date.now(), seconds, failed);
      return seconds;
    };
    shadow.infer({ inputs: copy, outputNames }).then(
      (outputs) => record(disagrees(primaryOutputs, outputs, spec.relative_tolerance) ? 'disagreed' : 'agreed', done(false)),
      () => record('shadow_error', done(true)),
    );
  };
}

function copyTensors(tensors: NamedTensors): NamedTensors {
  const copy: NamedTensors = {};
  for (const [name, t] of Object.entries(tensors)) {
    copy[name] = { datatype: t.datatype, shape: [...t.shape], data: (Array.isArray(t.data) ? [...t.data] : t.data.slice()) as Tensor['data'] };
  }
  return copy;
}
