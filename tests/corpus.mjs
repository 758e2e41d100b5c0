// The Tier conformance corpus runner.
//
// Every program under tests/programs carries its expectations in comments:
//   // expect: TEXT                 next expected line of stdout
//   // expect runtime error: MSG    exit status 1, first stderr line `runtime error: MSG`
//   // expect stderr: TEXT          further exact stderr lines (stack trace lines)
//   // expect error: LINE:COL       a compile error at that position (set comparison)
//   // args: a b c                  command-line arguments for main
//   // stdin: TEXT                  next line of standard input (TEXT and a newline)
//   // stdin end: TEXT              the last piece of input, with no newline after it
//
// Usage: node tests/corpus.mjs [--flags "..."] [files...]
// Runs `node bin/tiervm.js run <flags> FILE ARGS...` for each program (cwd = repo root,
// FILE relative to the repo root) and prints `ok FILE` / `FAIL FILE: reason` lines and
// a final `N passed, M failed`. Exit status 1 when anything failed.

import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PROGRAMS_DIR = path.join('tests', 'programs');
const TIMEOUT_MS = 30_000;

const toPosix = (p) => p.split(path.sep).join('/');

/** All .tier files under ROOT/tests/programs, as sorted paths relative to ROOT (with `/`). */
export function listPrograms(root = REPO_ROOT) {
  const out = [];
  const walk = (rel) => {
    const abs = path.join(root, rel);
    let entries;
    try { entries = fs.readdirSync(abs, { withFileTypes: true }); } catch { return; }
    for (const ent of entries) {
      const childRel = path.join(rel, ent.name);
      if (ent.isDirectory()) walk(childRel);
      else if (ent.isFile() && ent.name.endsWith('.tier')) out.push(toPosix(childRel));
    }
  };
  walk(PROGRAMS_DIR);
  return out.sort();
}

/**
 * Read the expectation comments of a program.
 * @returns {{stdout: string[], runtimeError: string|null, stderr: string[], errors: string[], args: string[]}}
 */
export function parseExpectations(source) {
  const exp = { stdout: [], runtimeError: null, stderr: [], errors: [], args: [], stdin: '' };
  for (let line of source.split('\n')) {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    let m;
    if ((m = /\/\/ expect:(?: (.*))?$/.exec(line))) {
      exp.stdout.push(m[1] ?? '');
    } else if ((m = /\/\/ expect runtime error: (.*)$/.exec(line))) {
      if (exp.runtimeError !== null) throw new Error('more than one `// expect runtime error:` annotation');
      exp.runtimeError = m[1];
    } else if ((m = /\/\/ expect stderr: (.*)$/.exec(line))) {
      exp.stderr.push(m[1]);
    } else if ((m = /\/\/ expect error: (\d+):(\d+)\s*$/.exec(line))) {
      exp.errors.push(`${Number(m[1])}:${Number(m[2])}`);
    } else if ((m = /\/\/ stdin:(?: (.*))?$/.exec(line))) {
      exp.stdin += (m[1] ?? '') + '\n';
    } else if ((m = /\/\/ stdin end: (.*)$/.exec(line))) {
      exp.stdin += m[1];
    } else if ((m = /\/\/ args:(.*)$/.exec(line))) {
      exp.args.push(...m[1].split(/\s+/).filter((a) => a !== ''));
    }
  }
  return exp;
}

/** Split program output into lines; a final newline does not start another line. */
export function outputLines(text) {
  if (text === '' || text === undefined || text === null) return [];
  const lines = String(text).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const show = (s) => JSON.stringify(s);
const COMPILE_ERROR_LINE = /^[^\s].*?:(\d+):(\d+): error: /;
const FRAME_LINE = /^ {2}(at .+ \(.+:\d+\)|\.\.\. \d+ more frames)$/;

function compareLines(what, expected, actual) {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    if (i >= expected.length) return `${what} line ${i + 1}: unexpected extra line ${show(actual[i])}`;
    if (i >= actual.length) return `${what} line ${i + 1}: expected ${show(expected[i])}, got end of output`;
    if (expected[i] !== actual[i]) return `${what} line ${i + 1}: expected ${show(expected[i])}, got ${show(actual[i])}`;
  }
  return null;
}

function excerpt(text, max = 400) {
  const t = String(text ?? '');
  return t.length > max ? show(t.slice(0, max) + '...') : show(t);
}

/**
 * Compare a run against the expectations.
 * @param exp the result of parseExpectations
 * @param result {exitCode, stdout, stderr}
 * @returns null when it matches, otherwise a description of the first mismatch
 */
export function checkResult(exp, result) {
  const { exitCode } = result;
  const stdout = result.stdout ?? '';
  const stderr = result.stderr ?? '';
  if (exitCode === null || exitCode === undefined) {
    return `the VM did not exit normally (${result.signal ? 'signal ' + result.signal : 'no exit status'}${result.error ? ': ' + result.error : ''})`;
  }
  const errLines = outputLines(stderr);

  if (exp.errors.length > 0) {
    if (exitCode !== 1) return `expected a compile error (exit status 1), got exit status ${exitCode}; stderr ${excerpt(stderr)}`;
    if (stdout !== '') return `expected nothing on stdout for a compile error, got ${excerpt(stdout)}`;
    const got = new Set();
    for (const l of errLines) {
      const m = COMPILE_ERROR_LINE.exec(l);
      if (m) got.add(`${Number(m[1])}:${Number(m[2])}`);
    }
    const want = new Set(exp.errors);
    const missing = [...want].filter((p) => !got.has(p));
    const extra = [...got].filter((p) => !want.has(p));
    if (missing.length || extra.length) {
      const parts = [];
      if (missing.length) parts.push(`missing errors at ${missing.join(', ')}`);
      if (extra.length) parts.push(`unexpected errors at ${extra.join(', ')}`);
      return `compile errors differ: ${parts.join('; ')} (expected ${[...want].join(', ')}; got ${[...got].join(', ') || 'none'}); stderr ${excerpt(stderr)}`;
    }
    return null;
  }

  if (exp.runtimeError !== null) {
    if (exitCode !== 1) return `expected runtime error ${show(exp.runtimeError)} (exit status 1), got exit status ${exitCode}; stderr ${excerpt(stderr)}`;
    const out = compareLines('stdout', exp.stdout, outputLines(stdout));
    if (out) return out;
    const first = `runtime error: ${exp.runtimeError}`;
    if (errLines.length === 0) return `expected stderr ${show(first)}, got nothing`;
    if (errLines[0] !== first) return `stderr line 1: expected ${show(first)}, got ${show(errLines[0])}`;
    const rest = errLines.slice(1);
    if (exp.stderr.length > 0) {
      const m = compareLines('stderr (after line 1)', exp.stderr, rest);
      if (m) return m;
    } else {
      if (rest.length === 0) return 'expected a stack trace (`  at FUNCTION (FILE:LINE)` lines) after the runtime error line';
      const bad = rest.find((l) => !FRAME_LINE.test(l));
      if (bad !== undefined) return `stderr: not a stack trace line: ${show(bad)}`;
    }
    return null;
  }

  if (exitCode !== 0) return `expected exit status 0, got ${exitCode}; stderr ${excerpt(stderr)}`;
  const out = compareLines('stdout', exp.stdout, outputLines(stdout));
  if (out) return out;
  if (exp.stderr.length > 0) return compareLines('stderr', exp.stderr, errLines);
  if (stderr !== '') return `expected nothing on stderr, got ${excerpt(stderr)}`;
  return null;
}

/**
 * Run every program in every mode.
 * @param opts.modes [{name, flags}]  flags: string[] (or a space separated string)
 * @param opts.run (file, args, flags, stdin) => {exitCode, stdout, stderr} (may return a promise)
 * @param opts.root repository root (default: this checkout)
 * @param opts.files program paths relative to root (default: listPrograms(root))
 * @param opts.onResult optional callback ({file, mode, message}) for every run; message null on success
 * @returns the failures, [{file, mode, message}]
 */
export async function runCorpus({ modes, run, root = REPO_ROOT, files, onResult } = {}) {
  const list = files ?? listPrograms(root);
  const failures = [];
  for (const file of list) {
    let exp;
    try {
      exp = parseExpectations(fs.readFileSync(path.join(root, file), 'utf8'));
    } catch (e) {
      for (const mode of modes) {
        const f = { file, mode: mode.name, message: `cannot read expectations: ${e.message}` };
        failures.push(f);
        onResult?.(f);
      }
      continue;
    }
    for (const mode of modes) {
      const flags = normalizeFlags(mode.flags);
      let message;
      try {
        const result = await run(file, exp.args, flags, exp.stdin);
        message = checkResult(exp, result);
      } catch (e) {
        message = `runner failed: ${e && e.message ? e.message : String(e)}`;
      }
      const rec = { file, mode: mode.name, message };
      if (message !== null) failures.push(rec);
      onResult?.(rec);
    }
  }
  return failures;
}

function normalizeFlags(flags) {
  if (flags === undefined || flags === null) return [];
  if (Array.isArray(flags)) return flags;
  return String(flags).split(/\s+/).filter((f) => f !== '');
}

/** Run one program with the VM in this checkout: `node bin/tiervm.js run FLAGS FILE ARGS...`. */
export function runVm(file, args = [], flags = [], root = REPO_ROOT, stdin = '') {
  const r = spawnSync(process.execPath, [path.join('bin', 'tiervm.js'), 'run', ...normalizeFlags(flags), file, ...args], {
    cwd: root,
    input: stdin,
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error && r.error.code === 'ETIMEDOUT') {
    return { exitCode: null, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: `timed out after ${TIMEOUT_MS / 1000} s` };
  }
  if (r.error) return { exitCode: null, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error.message };
  return { exitCode: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', signal: r.signal ?? undefined };
}

function toProgramPath(arg, root) {
  const abs = path.resolve(process.cwd(), arg);
  const rel = path.relative(root, abs);
  return toPosix(rel);
}

async function main(argv) {
  let flags = [];
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--flags') {
      if (i + 1 >= argv.length) { console.error('--flags needs a value'); process.exit(2); }
      flags = normalizeFlags(argv[++i]);
    } else if (a.startsWith('--flags=')) {
      flags = normalizeFlags(a.slice('--flags='.length));
    } else {
      files.push(a);
    }
  }
  let list;
  if (files.length) {
    list = [];
    for (const f of files) {
      const rel = toProgramPath(f, REPO_ROOT);
      const abs = path.join(REPO_ROOT, rel);
      if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) {
        list.push(...listPrograms(REPO_ROOT).filter((p) => p.startsWith(rel.replace(/\/$/, '') + '/')));
      } else {
        list.push(rel);
      }
    }
  } else {
    list = listPrograms(REPO_ROOT);
  }
  let passed = 0, failed = 0;
  await runCorpus({
    modes: [{ name: flags.join(' ') || 'default', flags }],
    run: (file, args, fl, stdin) => runVm(file, args, fl, REPO_ROOT, stdin),
    files: list,
    onResult: ({ file, message }) => {
      if (message === null) { passed++; console.log(`ok ${file}`); }
      else { failed++; console.log(`FAIL ${file}: ${message}`); }
    },
  });
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).catch((e) => { console.error(e); process.exit(2); });
}
