#!/usr/bin/env node
// The `modelgate` command. The sources are TypeScript, run through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../gateway/cli.ts');
