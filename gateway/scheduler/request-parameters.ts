import { invalidInput } from '../errors.ts';
import type { BatchPolicy } from './batch-policy.ts';

/**
 * Validation of the scheduling parameters a request may carry (KServe
 * `parameters.priority`, `parameters.timeout`), done once at the boundary. Each
 * helper returns the effective value with the policy's default applied, or throws
 * invalidInput naming the field.
 */

/** Highest valid priority number: priorityLevels, or 1 when priorities are off (0). */
export function priorityLevelCount(policy: BatchPolicy): number {
  return Math.max(1, policy.priorityLevels);
}

/**
 * `parameters.priority`: an integer 1 (highest) .. priority levels. Absent, or 0 as in
 * Triton's protocol ("use the default"), gives the policy's defaultPriority.
 */
export function validatePriority(value: unknown, policy: BatchPolicy): number {
  if (value === undefined || value === 0) return policy.defaultPriority;
  const levels = priorityLevelCount(policy);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > levels) {
    throw invalidInput(
      `parameters.priority: expected an integer from 1 (highest) to ${levels}, or 0 for the default, got ${describe(value)}`,
    );
  }
  return value;
}

/**
 * `parameters.timeout`: microseconds the request may wait in the queue, a non-negative
 * integer. It may only LOWER the policy's defaultTimeoutUs (a larger value is clamped to
 * it); absent or 0 means the default. Returns µs, 0 = no timeout.
 */
export function validateTimeout(value: unknown, policy: BatchPolicy): number {
  if (value === undefined) return policy.defaultTimeoutUs;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidInput(`parameters.timeout: expected a non-negative integer number of microseconds, got ${describe(value)}`);
  }
  return effectiveTimeoutUs(value, policy);
}

/** The timeout that applies: the smaller of the two, where 0 means "none". */
export function effectiveTimeoutUs(requestedUs: number, policy: BatchPolicy): number {
  if (requestedUs === 0) return policy.defaultTimeoutUs;
  if (policy.defaultTimeoutUs === 0) return requestedUs;
  return Math.min(requestedUs, policy.defaultTimeoutUs);
}

function describe(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
