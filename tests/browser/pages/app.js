// A user's app, written from README.md and docs/embedding.md only: it uses the
// embedding API the way a web page would and returns what it saw as plain data.
// The pages in this folder run it (on the main thread, in a module Worker,
// through an import map, under content security policies, bundled by esbuild);
// tests/browser/user-pages.mjs runs it in Node too and compares the two, and
// compares each program's run() with `tiervm run`.
// `tiervm` is the module namespace (import * as tiervm from '.../dist/vm.js').

/** The programs, each run with run() and compared with the command line. */
export const PROGRAMS = {
  'io.tier': {
    args: ['first', 'second'],
    stdin: 'alpha\nbeta\r\ngamma',
    source: `struct Point { x: f64, y: f64, name: str }
fn main(args: [str]) {
  print("args " + str(args.len) + " " + args[0] + " " + args[1]);
  print("read: " + read_line());
  var n = 0;
  while true { let l = read_line(); if l == null { break; } n += 1; write(l + ";"); }
  print(" lines " + str(n));
  print(str(1.5 * 2.0) + " " + str(0.1 + 0.2) + " " + str(1.0 / 0.0) + " " + str(-7 as f64 / 2.0));
  print("\\u{e9}\\u{1F600} unicode");
}
fn mk(x: f64, y: f64, name: str) -> Point { return new Point { x: x, y: y, name: name }; }
fn norm(p: Point) -> f64 { return sqrt(p.x * p.x + p.y * p.y); }
fn label(p: Point) -> str { if p == null { return "none"; } return p.name; }
fn rename(p: Point, name: str) -> Point { p.name = name; return p; }
fn neg(b: bool) -> bool { return !b; }
fn half(i: i32) -> f64 { return i as f64 / 2.0; }
fn twice(i: i32) -> i32 { return i * 2; }
fn echo(s: str) -> str { return s; }
fn isnull(s: str) -> bool { return s == null; }
fn range(n: i32) -> [i32] { let a = new [i32](n); for i in 0..n { a[i] = i * i; } return a; }
fn total(a: [i32]) -> i32 { var s = 0; for i in 0..a.len { s += a[i]; } return s; }
fn hot(n: i32) -> i32 { var s = 0; for i in 0..n { s = (s + twice(i)) % 1000003; } return s; }
fn fail(d: i32) -> i32 { return inner(d); }
fn inner(d: i32) -> i32 { return 10 / d; }
fn greet() { print("hello from greet"); }
`,
  },
  'rte.tier': {
    args: [],
    stdin: '',
    source: `fn deep(n: i32) -> i32 {
  if n == 0 { let a = [1, 2, 3]; return a[n + 3]; }
  return deep(n - 1) + 1;
}
fn main() {
  print("before");
  print(deep(3));
}
`,
  },
  'bad.tier': {
    args: [],
    stdin: '',
    source: 'fn main() {\n  let x: i32 = true;\n  print(y);\n}\n',
  },
  'deep.tier': {
    args: [],
    stdin: '',
    stackSizeKB: 2048,   // tiervm run --stack-size=2048: overflows sooner
    source: `fn down(n: i32) -> i32 { if n == 0 { return 0; } return down(n - 1) + 1; }
fn f64down(n: i32, x: f64) -> f64 { if n == 0 { return x; } return f64down(n - 1, x + 0.5) + 0.25; }
fn main() {
  print(down(1000));
  print(f64down(20000, 1.0));
  print(down(20000));
  print(down(100000000));
}
`,
  },
  'loop.tier': {
    args: [],
    stdin: '',
    source: 'fn spin() -> i32 { var i = 0; while true { i = (i + 1) % 7; } return i; }\nfn main() { print("spinning"); spin(); }\n',
  },
};

/** Run without stdout or stderr callbacks: the output goes to the console. */
export const DEFAULTS_PROGRAM = 'fn main() {\n  print("to the console");\n  write("and on");\n  print(1 / 0);\n}\n';
export function defaultOutput(tiervm) {
  return tiervm.load('defaults.tier', DEFAULTS_PROGRAM).program.run();
}

/** Every way this page lets a program run: [label, options]. */
export function modes(backends) {
  const m = [['interp', { tier: 'interp' }], ['auto', { tier: 'auto', jitThreshold: 2 }], ['jit', { tier: 'jit' }]];
  for (const b of backends) m.push([`jit ${b}`, { tier: 'jit', backend: b }]);
  return m;
}

function runProgram(tiervm, file, o) {
  const p = PROGRAMS[file];
  let stdout = '', stderr = '';
  const r = tiervm.load(file, p.source, {
    ...o, args: p.args, stdin: p.stdin, stackSizeKB: p.stackSizeKB,
    stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; },
  });
  if (!r.ok) return { stdout, stderr, exitCode: r.exitCode, errors: r.errors.map((d) => ({ ...d })), text: r.text };
  const exitCode = r.program.run();
  return { stdout, stderr, exitCode, backend: r.program.backend };
}

/** The API calls of docs/embedding.md on io.tier, their results as data. */
function calls(tiervm, o) {
  const out = [];
  let stdout = '';
  const source = `${PROGRAMS['io.tier'].source}extern fn host_add(a: i32, b: i32) -> i32;
fn with_host(a: i32) -> i32 { print("calling host"); return host_add(a, 1) * 2; }
`;
  const { program } = tiervm.load('io.tier', source, {
    ...o, stdout: (t) => { stdout += t; }, stderr: () => {},
    externs: { host_add: (a, b) => { stdout += `[host sees ${JSON.stringify(stdout)}]`; return program.call('twice', a) + b; } },
  });
  const rec = (what, f) => {
    try {
      const v = f();
      out.push([what, v instanceof tiervm.GuestRef ? { kind: v.kind, type: v.type, released: v.released } : v]);
    } catch (e) {
      out.push([what, { threw: e.name, instanceOfTierRuntimeError: e instanceof tiervm.TierRuntimeError, message: e.message, frames: e.frames, text: e.text }]);
    }
  };
  rec('functions', () => program.functions.map((f) => `${f.name}(${f.paramNames.map((n, i) => `${n}: ${f.params[i]}`).join(', ')}) -> ${f.result}`).join('; '));
  rec('twice', () => program.call('twice', 21));
  rec('twice min', () => program.call('twice', -1073741824));
  rec('half', () => program.call('half', 7));
  rec('echo', () => program.call('echo', 'héllo 😀'));
  rec('echo null', () => program.call('echo', null));
  rec('isnull', () => program.call('isnull', null));
  rec('neg', () => program.call('neg', false));
  const mk = program.fn('mk');
  rec('fn name/length', () => `${mk.name}/${mk.length}`);
  const p = mk(3, 4, 'p1');
  rec('struct handle', () => p);
  rec('norm', () => program.call('norm', p));
  rec('label', () => program.fn('label')(p));
  rec('label null', () => program.call('label', null));
  rec('rename', () => program.call('rename', p, 'renamed'));
  rec('label after', () => program.call('label', p));
  const arr = program.call('range', 5);
  rec('array handle', () => arr);
  rec('total', () => program.call('total', arr));
  const hot = program.fn('hot');
  for (let i = 0; i < 30; i++) hot(100);
  rec('hot', () => hot(100000));
  rec('extern calling back', () => program.call('with_host', 20));
  rec('greet', () => { program.call('greet'); return stdout; });
  rec('runtime error', () => program.call('fail', 0));
  rec('still usable', () => program.call('fail', 5));
  rec('bad argument', () => program.call('twice', 1.5));
  rec('bad count', () => program.call('twice'));
  rec('unknown', () => program.call('twise', 1));
  rec('wrong handle', () => program.call('total', p));
  p.release();
  rec('released', () => program.call('norm', p));
  rec('run', () => program.run());
  rec('stdout', () => stdout);
  program.dispose();
  rec('disposed', () => program.call('twice', 1));
  return out;
}

/** stdin as a function, read_line across calls. */
function stdinFunction(tiervm, o) {
  const pieces = ['one\ntw', 'o\n', null];
  let out = '';
  const { program } = tiervm.load('lines.tier', 'fn next() -> str { return read_line(); }\nfn main() { }\n',
    { ...o, stdin: () => pieces.shift() ?? null, stdout: (t) => { out += t; } });
  return [program.call('next'), program.call('next'), program.call('next'), out];
}

/** maxSteps and deadlineMs stopping while true {} (run() and call()). */
function limits(tiervm, o) {
  const src = PROGRAMS['loop.tier'].source;
  const res = {};
  for (const [name, lim] of [['maxSteps', { maxSteps: 100000 }], ['deadlineMs', { deadlineMs: 50 }]]) {
    let stdout = '', stderr = '';
    const { program } = tiervm.load('loop.tier', src, { ...o, ...lim, stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
    const t0 = performance.now();
    const exitCode = program.run();
    const ms = performance.now() - t0;
    let thrown;
    try { program.call('spin'); } catch (e) { thrown = { instanceOfTierRuntimeError: e instanceof tiervm.TierRuntimeError, message: e.message, frames: e.frames }; }
    res[name] = { exitCode, stdout, stderr, thrown, steps: name === 'maxSteps' ? program.lastSteps : null, inTime: name === 'maxSteps' || (ms >= 50 && ms < 5000), backend: program.backend };
  }
  // interrupt() from an extern on this thread: the run in progress stops.
  const { program } = tiervm.load('self.tier', 'extern fn stop();\nfn main() { var i = 0; while true { i += 1; if i == 1000 { stop(); } } }\n',
    { ...o, interruptible: true, externs: { stop: () => program.interrupt() }, stderr: () => {} });
  res.interrupt = { exitCode: program.run(), flag: program.interruptBuffer[0] };
  return res;
}

/** Everything, in every mode given. */
export function exercise(tiervm, backends) {
  const results = {};
  for (const [label, o] of modes(backends)) {
    const r = {};
    for (const file of Object.keys(PROGRAMS)) if (file !== 'loop.tier') r[file] = runProgram(tiervm, file, o);
    r.calls = calls(tiervm, o);
    r.stdin = stdinFunction(tiervm, o);
    r.limits = limits(tiervm, o);
    results[label] = r;
  }
  // No compiler thread in a browser: compiles are synchronous, the results the same.
  results.compileThread = runProgram(tiervm, 'io.tier', { compile: 'thread', jitThreshold: 2 });
  const bad = tiervm.load('x.tier', 'fn main() {}', { jitTreshold: 3, stderr: () => {} });
  results.badOption = { ok: bad.ok, exitCode: bad.exitCode, text: bad.text };
  return results;
}

/** What this host can do, as a page author would test it. */
export function host() {
  let wasm = false, evalOk = false;
  try { new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])); wasm = true; } catch { /* refused */ }
  try { evalOk = new Function('return 1')() === 1; } catch { /* refused */ }
  return { wasm, eval: evalOk, sab: typeof SharedArrayBuffer === 'function', isolated: globalThis.crossOriginIsolated === true };
}
