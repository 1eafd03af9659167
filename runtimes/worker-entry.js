// Plain-JS bootstrap for pool threads: makes the worker able to import our
// TypeScript sources (the main thread may have registered tsx only for itself).
import { register } from 'tsx/esm/api';

register();
const worker = await import(new URL('./worker.ts', import.meta.url).href);
export default await worker.default;
