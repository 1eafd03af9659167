import { createRequire } from 'node:module';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

export const SERVER_NAME = 'modelgate';
export const SERVER_VERSION = pkg.version;

/** KServe v2 / Triton extension names this server implements, as listed by GET /v2. */
export const SERVER_EXTENSIONS: readonly string[] = ['binary_tensor_data'];
