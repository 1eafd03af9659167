/** Process-wide serving state that health and shutdown share. */
export class ServerState {
  /** Set once the startup load of the repository has finished (whatever its outcome). */
  startupComplete = false;
  /** Set when shutdown begins: readiness turns false and new work is refused. */
  draining = false;
  /** Requests between arrival and the end of their response on the socket; shutdown waits for 0. */
  inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  requestStarted(): void {
    this.inFlight += 1;
  }

  requestFinished(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Resolves when no request is in flight. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
