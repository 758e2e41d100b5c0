#!/usr/bin/env node
// The tiervm command (see src/cli.ts); the TypeScript build lives in dist/.
import { main } from '../dist/cli.js';
process.exitCode = await main(process.argv.slice(2));
