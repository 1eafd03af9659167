import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { ShadowMetrics } from './shadow-metrics.ts';

test('the first mirrored request creates every outcome of its label set at 0, so a disagreement ratio exists before the first disagreement', async () => {
  const registry = new Registry();
  const shadow = new ShadowMetrics(registry);
  shadow.observe('iris', 1, 2, 'agreed', 0.002);
  shadow.observe('iris', 1, 2, 'agreed', 0.003);
  const requests = await registry.getSingleMetric('modelgate_shadow_requests_total')!.get();
  const byOutcome = Object.fromEntries(requests.values.map((v) => [`${v.labels.model}/${v.labels.version}/${v.labels.shadow_version}/${v.labels.outcome}`, v.value]));
  assert.deepEqual(byOutcome, { 'iris/1/2/agreed': 2, 'iris/1/2/disagreed': 0, 'iris/1/2/shadow_error': 0, 'iris/1/2/shed': 0 });
  const text = await registry.metrics();
  assert.match(text, /^modelgate_shadow_duration_seconds_count\{model="iris",version="1",shadow_version="2"\} 2$/m);
  // A shed request has no duration, but its label set gets the same series.
  shadow.observe('iris', 3, 2, 'shed');
  assert.match(await registry.metrics(), /^modelgate_shadow_duration_seconds_count\{model="iris",version="3",shadow_version="2"\} 0$/m);
  assert.match(await registry.metrics(), /^modelgate_shadow_requests_total\{model="iris",version="3",shadow_version="2",outcome="agreed"\} 0$/m);
});
