// Shared by the benchmark harnesses (suite.mjs, micro.mjs, warmup.mjs): paths,
// statistics, the machine description and what the tiervm build offers.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

export const BENCH = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT = dirname(BENCH);
export const PROGRAMS = join(BENCH, 'programs');
export const OUT_DIR = join(BENCH, 'out');
export const CHARTS_DIR = join(BENCH, 'charts');
export const TIERVM_BIN = join(ROOT, 'bin', 'tiervm.js');
export const VM_API = join(ROOT, 'dist', 'vm.js');

// ---- statistics --------------------------------------------------------------------------
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The geometric mean: the right average for ratios (2x faster and 2x slower cancel). */
export function geomean(xs) {
  return xs.length ? Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length) : null;
}

/** Least-squares line through (x, y) points: { slope, intercept }. */
export function linearFit(points) {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

// ---- processes ---------------------------------------------------------------------------
/** First line of `cmd args` (stdout + stderr), or null when it cannot run. */
export function commandVersion(cmd, args) {
  try {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
    if (r.error || r.status !== 0) return null;
    return (r.stdout + r.stderr).trim().split('\n')[0].replace(/\s+(--\s+)?Copyright.*$/, '');
  } catch {
    return null;
  }
}

// ---- tiervm's capabilities, read from its help text --------------------------------------
// The suite runs every tier that `tiervm --help` lists, so tiers (and compiling
// backends, if a --backend option appears) are picked up as they land.
export function tiervmCapabilities(bin = TIERVM_BIN) {
  const r = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) return { ok: false, error: (r.stderr || r.error?.message || 'no output').trim(), tiers: [], backends: null, flags: [] };
  const help = r.stdout;
  const list = (flag) => {
    // "--tier=TIER   execution tier: interp, auto, jit (default auto)" or
    // "--jit-backend=B   compiling backend: wasm or js (default: wasm where ...)".
    const sep = String.raw`(?:\s*,\s*(?:or\s+)?|\s+or\s+|\s*[|/]\s*)`;
    const m = new RegExp(String.raw`(--${flag})=[A-Z]+\s+[^\n:]*:\s*([\w-]+(?:${sep}[\w-]+)*)\s*(?:\(default:?\s*([\w-]+))?`).exec(help);
    return m ? { flag: m[1], values: m[2].split(new RegExp(sep)), dflt: m[3] ?? null } : null;
  };
  const tiers = list('tier');
  const backend = list('backend') ?? list('jit-backend');
  const flags = [...help.matchAll(/^\s+(--[a-z][\w-]*)/gm)].map((m) => m[1]);
  return {
    ok: true,
    tiers: tiers ? tiers.values : ['interp'],
    defaultTier: tiers?.dflt ?? null,
    backends: backend ? { flag: backend.flag, values: backend.values, dflt: backend.dflt } : null,
    flags,
    has: (flag) => flags.includes(flag),
  };
}

/** Every way to run tiervm that its help lists: each tier, and for the compiling
 *  tiers each backend. `flags` are command-line flags, `api` the embedding options. */
export function tiervmVariants(caps) {
  const list = [];
  for (const tier of caps.tiers) {
    const backends = tier !== 'interp' && caps.backends ? caps.backends.values : [null];
    for (const be of backends) {
      list.push({
        id: `${tier}${be ? `-${be}` : ''}`,
        tier, backend: be,
        label: be ? `${tier} (${be})` : tier,
        flags: [`--tier=${tier}`, ...(be ? [`${caps.backends.flag}=${be}`] : [])],
        api: { tier, ...(be ? { backend: be } : {}) },
      });
    }
  }
  return list;
}

// ---- the machine -------------------------------------------------------------------------
export function machineInfo() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch { /* not Linux */ }
  let osName = `${os.type()} ${os.release()} ${os.arch()}`;
  try {
    const m = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m) osName = `${m[1]}, ${os.type()} ${os.release()} ${os.arch()}`;
  } catch { /* no os-release */ }
  return {
    cpu,
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    os: osName,
    node: process.version,
    commit: commandVersion('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
    dirty: (() => {
      const r = spawnSync('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' });
      return r.status === 0 ? r.stdout.trim() !== '' : null;
    })(),
    loadAverage: os.loadavg().map((x) => +x.toFixed(2)),
    date: new Date().toISOString(),
  };
}

export function describeMachine(m) {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM; ${m.os}`;
}

// ---- formatting --------------------------------------------------------------------------
/** Seconds with three significant-ish digits: 12.3, 1.23, 0.123, 0.0123. */
export function fmtSeconds(s) {
  if (s >= 100) return s.toFixed(0);
  if (s >= 10) return s.toFixed(1);
  if (s >= 1) return s.toFixed(2);
  if (s >= 0.1) return s.toFixed(3);
  return s.toFixed(4);
}

export function fmtRatio(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  if (x >= 100) return `${x.toFixed(0)}×`;
  if (x >= 10) return `${x.toFixed(1)}×`;
  return `${x.toFixed(2)}×`;
}
