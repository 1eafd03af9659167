import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimeFailure, sanitize } from './runtime-error.ts';

test('runtime messages lose file paths but keep their meaning', () => {
  const raw = "Non-zero status code returned while running Reshape node. Name:'r' Status Message: /onnxruntime_src/onnxruntime/core/providers/cpu/tensor/reshape_helper.h:47 onnxruntime::ReshapeHelper gsl::narrow_cast<int64_t>(input_shape.Size()) == size was false. The input tensor cannot be reshaped to the requested shape. Input shape:{2,4}, requested shape:{3,3}";
  const clean = sanitize(raw);
  assert.doesNotMatch(clean, /onnxruntime_src|reshape_helper\.h/);
  assert.match(clean, /cannot be reshaped to the requested shape\. Input shape:\{2,4\}, requested shape:\{3,3\}/);
  assert.doesNotMatch(sanitize('failed to open /srv/models/iris/1/model.onnx: bad'), /srv|model\.onnx/);
});

test('a dead worker is a 500 that says to retry', () => {
  const error = runtimeFailure('m', 3, new Error('worker exited with code: 1'));
  assert.equal(error.status, 500);
  assert.match(error.message, /model "m" version 3: the worker .* stopped unexpectedly/);
});
