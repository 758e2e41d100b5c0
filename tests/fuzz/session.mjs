// Owns what happens to one seed: generate the program, check it in every mode,
// and on a failure shrink it (keeping the failure's kind) and describe it; and the
// text of a saved reproducer. Used by the worker threads of fuzz.mjs and, in
// process, by the unit test.
import { generate } from './gen.mjs';
import { cloneTree } from './ast.mjs';
import { checkProgram, modesFor, failureKind, failureGroup, runMode, modeByName, describe } from './runner.mjs';
import { shrink } from './shrink.mjs';

/**
 * opts: modes (default: every mode this host can run), stressEvery (run the GC
 * stress modes when seed % stressEvery == 0), hook (see checkProgram), shrink
 * (default true), shrinkLimits, onBeat(what) (called before every run: the
 * watchdog's heartbeat), onShrunk(source) (every smaller reproducer),
 * skipShrink (failure kinds not to shrink: already known), stats
 * (also a traced run for OSR and compile-failure counts).
 */
export function fuzzSeed(seed, opts = {}) {
  const t0 = Date.now();
  const all = opts.modes ?? modesFor();
  const stressEvery = opts.stressEvery ?? 4;
  const modes = all.filter((m) => !m.stress || seed % stressEvery === 0);
  const g = generate(seed);
  const beat = opts.onBeat ?? (() => {});
  const r = checkProgram(g.source, { modes, hook: opts.hook, onMode: (m) => beat(`${seed} ${m}`) });
  const rec = {
    seed, status: 'ok', ms: 0, modes: modes.map((m) => m.name), info: g.info,
    refExit: r.ref.code, refError: r.ref.stderr.split('\n')[0], bytes: g.source.length, oracleSkip: r.oracleSkip ?? null,
    failures: r.failures.map(({ mode, aspect, detail }) => ({ mode, aspect, detail })),
  };
  if (r.reject) {
    rec.status = 'reject';
    rec.reject = r.reject.split('\n').slice(0, 3).join('\n');
    rec.source = g.source;
  } else if (r.failures.length) {
    rec.status = 'fail';
    rec.source = g.source;
    const primary = r.failures[0];
    rec.kind = failureKind(primary);
    rec.expected = describe(r.ref);
    rec.got = describe(r.results.find((x) => x.mode === primary.mode));
    if (opts.shrink !== false && !(opts.skipShrink ?? []).includes(failureGroup(rec.kind))) {
      const mode = modeByName(primary.mode) ?? all.find((m) => m.name === primary.mode);
      const testModes = primary.mode === 'interp' ? [all[0]] : [all.find((m) => m.name === 'interp'), mode];
      const interesting = (src) => {
        beat(`${seed} shrink`);
        const c = checkProgram(src, { modes: testModes, hook: opts.hook });
        return !c.reject && c.failures.some((f) => failureKind(f) === rec.kind);
      };
      const s = shrink(cloneTree(g.prog), interesting, { ...opts.shrinkLimits, onProgress: opts.onShrunk });
      rec.shrunk = s.source;
      rec.shrink = { tests: s.tests, kept: s.kept, ms: s.ms };
      // Describe the shrunk program's disagreement in every mode.
      const again = checkProgram(s.source, { modes: all, hook: opts.hook });
      if (!again.reject && again.failures.length) {
        rec.shrunkFailures = again.failures.map(({ mode, aspect, detail }) => ({ mode, aspect, detail }));
        rec.expected = describe(again.ref);
        rec.got = describe(again.results.find((x) => x.mode === primary.mode));
      }
    }
  }
  if (opts.stats && rec.status === 'ok') {
    const auto = all.find((m) => m.name === 'auto7') ?? all.find((m) => m.name === 'auto1-js');
    if (auto) {
      beat(`${seed} stats`);
      const t = runMode(g.source, auto, { traceTier: true });
      const lines = t.stderr.split('\n');
      rec.osr = lines.filter((l) => l.startsWith('[tier] osr')).length;
      rec.compiled = lines.filter((l) => l.startsWith('[tier] install')).length;
      rec.compileFailed = lines.filter((l) => l.startsWith('[tier] failed')).map((l) => l.slice(14, 200));
    }
  }
  rec.ms = Date.now() - t0;
  return rec;
}

/** The text of tests/fuzz/found/SEED.tier for a failure record. */
export function reproducerText(rec, source = rec.shrunk ?? rec.source) {
  const fails = rec.shrunkFailures ?? rec.failures;
  const byMode = new Map();
  for (const f of fails) byMode.set(f.mode, [...(byMode.get(f.mode) ?? []), f.aspect]);
  const lines = [
    `// tiervm differential fuzzer reproducer: seed ${rec.seed}${rec.shrunk ? ` (shrunk from ${rec.bytes} to ${source.length} bytes)` : ' (not shrunk)'}`,
    `// failure kind: ${rec.kind}`,
    `// modes that disagree: ${[...byMode].map(([m, a]) => `${m} (${a.join(', ')})`).join('; ')}`,
    `// expected (interp): ${rec.expected}`,
    `// got (${fails[0]?.mode}): ${rec.got}`,
    ...fails.slice(0, 6).map((f) => `//   ${f.mode}: ${f.detail}`.replace(/\n/g, ' ')),
    `// check it: node tests/fuzz/fuzz.mjs --file=tests/fuzz/found/${rec.seed}.tier`,
  ];
  return lines.join('\n') + '\n' + source;
}
