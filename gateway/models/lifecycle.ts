/**
 * The lifecycle of a model version (Triton's): LOADING → READY → UNLOADING →
 * UNAVAILABLE, or LOADING → UNAVAILABLE when the load fails. UNAVAILABLE is
 * final: a reload makes a new version object. Anything else is a bug.
 */
export type VersionState = 'LOADING' | 'READY' | 'UNLOADING' | 'UNAVAILABLE';

const NEXT: Record<VersionState, readonly VersionState[]> = {
  LOADING: ['READY', 'UNAVAILABLE'],
  READY: ['UNLOADING'],
  UNLOADING: ['UNAVAILABLE'],
  UNAVAILABLE: [],
};

export function canMove(from: VersionState, to: VersionState): boolean {
  return NEXT[from].includes(to);
}

/** Throws on a transition the lifecycle does not allow. */
export function checkedMove(from: VersionState, to: VersionState): VersionState {
  if (!canMove(from, to)) throw new Error(`invalid lifecycle transition ${from} → ${to}`);
  return to;
}
