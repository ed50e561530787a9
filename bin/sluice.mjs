#!/usr/bin/env node
// The `sluice` command. Job and UDF files are TypeScript, so the CLI runs under tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../runtime/cli/main.ts');
