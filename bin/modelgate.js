#!/usr/bin/env node
// The `modelgate` command: runs the bundled build in dist/, rebuilding it first
// when the TypeScript sources changed (see bin/build.js).
import { pathToFileURL } from 'node:url';
import { ensureBuilt } from './build.js';

process.setSourceMapsEnabled(true);
await import(pathToFileURL(await ensureBuilt()).href);
