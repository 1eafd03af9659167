import { move, workerData, transferableSymbol, valueSymbol } from 'piscina';
import type { WorkerInit, WorkerRequest, WorkerResponse } from './worker-protocol.ts';
import { runtimeByName } from './registry.ts';
import { transferList } from './transfer.ts';
import { shouldCrash } from './fault-injection.ts';

/**
 * Worker entry: opens one runtime session when the thread starts, then serves
 * tasks. Piscina awaits the exported promise, so a session that fails to open
 * fails every task sent to this worker.
 */
async function start(): Promise<(request: WorkerRequest) => Promise<WorkerResponse>> {
  const init = workerData as WorkerInit;
  const runtime = runtimeByName(init.runtime);
  const session = await runtime.load(init.load);
  return async (request) => {
    if (request.kind === 'ping') {
      return {
        kind: 'pong',
        runtime: runtime.name,
        runtimeVersion: runtime.version,
        executionProvider: session.executionProvider,
        fallback: session.fallback,
        inputs: [...session.inputs],
        outputs: [...session.outputs],
      };
    }
    if (shouldCrash(request.inputs)) process.exit(70);
    const outputs = await session.run(request.inputs, request.outputs);
    const response: WorkerResponse = { kind: 'infer', outputs };
    // Piscina's movable-value convention: the listed buffers are transferred, not copied.
    return move({ [transferableSymbol]: transferList(outputs), [valueSymbol]: response } as never) as unknown as WorkerResponse;
  };
}

export default start();
