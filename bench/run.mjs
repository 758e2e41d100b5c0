#!/usr/bin/env node
// The first harness's command line, kept so that existing habits and scripts work:
// the four original programs (fib, nbody, fannkuch, spectral) on tiervm (the
// interpreter unless --tier says otherwise), Lua 5.4 and plain JavaScript, five
// repetitions, JSON in bench/out/results.json. It is bench/suite.mjs with those
// defaults (see suite.mjs --help); every suite option works here too, and a later
// option wins over these defaults.
//
//   node bench/run.mjs [--quick] [--reps=N] [--tier=interp] [--only=...] [--size=fib:35] [--runners=tiervm,lua,js]

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const defaults = [
  '--only=fib,nbody,fannkuch,spectral',
  '--runners=tiervm,lua,js',
  args.some((a) => /^--tiers?=/.test(a)) ? null : '--tier=interp',
  '--reps=5',
  '--no-warmup',
  `--json=${join(HERE, 'out', 'results.json')}`,
].filter(Boolean);
const r = spawnSync(process.execPath, [join(HERE, 'suite.mjs'), ...defaults, ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
