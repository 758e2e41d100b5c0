// The playground page: a CodeMirror editor for Tier (compile errors underlined,
// checked here with the bundled front-end), runs in a Web Worker (worker.ts)
// with output streamed in, the bytecode of the program, the generated code of
// each compiled function, and the live tier map (tiermap.ts). The program and
// the tier controls travel in the URL hash, so a link shares both.
// For tests, window.tiervm.run(source, options) runs in the same worker as the
// Run button and resolves to { stdout, stderr, exitCode, backend, events }.

import { EditorView, keymap, lineNumbers, highlightActiveLine } from '@codemirror/view';
import { EditorState } from '@codemirror/state';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput } from '@codemirror/language';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { load, type TierEvent } from '../../src/vm.js';
import { tierLanguage } from './tier-lang.js';
import { drawTierMap } from './tiermap.js';
import type { Capabilities, FromWorker, RunOptions, RunResult, ToWorker } from './protocol.js';
// @ts-expect-error: made by build.mjs (every examples/*.tier and a few corpus programs)
import EXAMPLES from 'tier-examples';

const FILE = 'playground.tier';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

// ---- the worker ------------------------------------------------------------------

interface Pending {
  result: RunResult;
  onOut: (stream: 'stdout' | 'stderr', text: string) => void;
  onEvents: () => void;
  resolve: (r: RunResult) => void;
}

let worker: Worker;
/** The interrupt flag shared with the worker (cross-origin isolated pages), or null. */
let interruptFlag: Int32Array | null = null;
let caps: Capabilities | null = null;
let pending: Pending | null = null;
const capsWaiters: ((c: Capabilities) => void)[] = [];

function startWorker(): void {
  caps = null;
  worker = new Worker('worker.js');
  worker.onmessage = (ev: MessageEvent<FromWorker>) => receive(ev.data);
  interruptFlag = globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function'
    ? new Int32Array(new SharedArrayBuffer(4)) : null;
  if (interruptFlag !== null) worker.postMessage({ type: 'interrupt-flag', flag: interruptFlag } satisfies ToWorker);
  worker.onerror = (ev) => {
    ev.preventDefault();
    finish({ exitCode: 70, backend: 'none' }, `worker error: ${ev.message}\n`);
  };
}

function receive(m: FromWorker): void {
  switch (m.type) {
    case 'caps': caps = m.caps; showCaps(); capsWaiters.splice(0).forEach((w) => w(m.caps)); return;
    case 'out':
      if (!pending) return;
      pending.result[m.stream] += m.text;
      pending.onOut(m.stream, m.text);
      return;
    case 'events':
      if (!pending) return;
      pending.result.events.push(...m.events);
      pending.onEvents();
      return;
    case 'done': finish(m); return;
  }
}

function finish(m: { exitCode: number; backend: RunResult['backend'] }, stderr = ''): void {
  const p = pending;
  if (!p) return;
  pending = null;
  $<HTMLButtonElement>('stop').disabled = true;
  if (stderr) { p.result.stderr += stderr; p.onOut('stderr', stderr); }
  p.result.exitCode = m.exitCode;
  p.result.backend = m.backend;
  p.resolve(p.result);
}

function runInWorker(source: string, options: RunOptions, onOut: Pending['onOut'] = () => {}, onEvents = () => {}): Promise<RunResult> {
  if (pending) terminate();
  return new Promise((resolve) => {
    pending = { result: { stdout: '', stderr: '', exitCode: -1, backend: 'none', events: [] }, onOut, onEvents, resolve };
    $<HTMLButtonElement>('stop').disabled = false;
    const msg: ToWorker = { type: 'run', file: options.file ?? FILE, source, options };
    worker.postMessage(msg);
  });
}

/** Stop the running program. Where the page is cross-origin isolated, through
 *  the interrupt flag (every tier polls it; the run ends with `runtime error:
 *  interrupted` and the worker stays); else, or if that does not end the run
 *  within STOP_GRACE_MS, the worker is terminated and a fresh one started (a
 *  guest in a loop never yields to a message). */
function stop(): void {
  const p = pending;
  if (!p) return;
  if (interruptFlag !== null) {
    Atomics.store(interruptFlag, 0, 1);
    setTimeout(() => { if (pending === p) terminate(); }, STOP_GRACE_MS);
    return;
  }
  terminate();
}

const STOP_GRACE_MS = 1000;

function terminate(): void {
  worker.terminate();
  startWorker();
  finish({ exitCode: 130, backend: 'none' }, 'stopped\n');
}

function showCaps(): void {
  const c = caps;
  $('caps').textContent = c === null ? 'worker starting…'
    : `WebAssembly: ${c.wasm ? 'yes' : 'no'} · eval: ${c.eval ? 'yes' : 'no'} · backend by default: ${c.wasm ? 'wasm' : c.eval ? 'js' : 'none (interpreter only)'}` +
      `${c.crossOriginIsolated ? ' · cross-origin isolated' : ''}`;
}

// ---- the editor --------------------------------------------------------------------

function diagnostics(view: EditorView): Diagnostic[] {
  const doc = view.state.doc;
  const source = doc.toString();
  const r = load(FILE, source, { stderr: () => {} });
  if (r.ok) { $('bytecode').textContent = r.program.disassemble(); r.program.dispose(); return []; }
  $('bytecode').textContent = r.text;
  return r.errors.map((e) => {
    const line = doc.line(Math.min(Math.max(1, e.line), doc.lines));
    const from = Math.min(line.from + Math.max(0, e.column - 1), line.to);
    // Underline the token at the error: a string literal, a word or number, else one character.
    const token = /^("(?:[^"\\]|\\.)*"?|[A-Za-z0-9_.]+)/.exec(source.slice(from, line.to));
    return { from, to: Math.min(line.to, from + (token ? token[0].length : 1)), severity: 'error', message: e.message };
  });
}

/** The bytecode pane: the program's bytecode, or its compile errors. */
function showBytecodeOf(source: string): void {
  const r = load(FILE, source, { stderr: () => {} });
  $('bytecode').textContent = r.ok ? r.program.disassemble() : r.text;
  if (r.ok) r.program.dispose();
}

const editor = new EditorView({
  parent: $('editor'),
  state: EditorState.create({
    doc: '',
    extensions: [
      lineNumbers(), history(), highlightActiveLine(), bracketMatching(), indentOnInput(),
      keymap.of([{ key: 'Mod-Enter', run: () => { void runClicked(); return true; } }, indentWithTab, ...defaultKeymap, ...historyKeymap]),
      tierLanguage, syntaxHighlighting(defaultHighlightStyle),
      linter(diagnostics, { delay: 250 }), lintGutter(),
      EditorView.updateListener.of((u) => { if (u.docChanged) saveHash(); }),
    ],
  }),
});

function setSource(text: string): void {
  editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text } });
}

// ---- controls, share link ----------------------------------------------------------

function options(): RunOptions {
  const tier = $<HTMLSelectElement>('tier').value as RunOptions['tier'];
  const threshold = Number($<HTMLInputElement>('threshold').value);
  const backend = $<HTMLSelectElement>('backend').value;
  const args = $<HTMLInputElement>('args').value.split(/\s+/).filter((a) => a !== '');
  return {
    tier, jitThreshold: Number.isInteger(threshold) && threshold >= 1 ? threshold : undefined,
    backend: backend === 'wasm' || backend === 'js' ? backend : undefined, args, stdin: $<HTMLTextAreaElement>('stdin').value,
  };
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(b64: string): string {
  const bin = atob(b64.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

function saveHash(): void {
  const o = options();
  const p = new URLSearchParams({ tier: o.tier ?? 'auto', threshold: $<HTMLInputElement>('threshold').value, backend: $<HTMLSelectElement>('backend').value });
  window.history.replaceState(null, '', `#${p}&code=${toBase64Url(editor.state.doc.toString())}`);
}

function loadHash(): boolean {
  const p = new URLSearchParams(location.hash.slice(1));
  for (const id of ['tier', 'threshold', 'backend']) { const v = p.get(id); if (v !== null) $<HTMLInputElement>(id).value = v; }
  const code = p.get('code');
  if (code === null) return false;
  try { setSource(fromBase64Url(code)); return true; } catch { return false; }
}

// ---- a run -----------------------------------------------------------------------

let codeByFn = new Map<string, string>();

function showCode(events: readonly TierEvent[]): void {
  const select = $<HTMLSelectElement>('codefn');
  const before = select.value;
  codeByFn = new Map();
  for (const e of events) if (e.kind === 'compiled' && e.code !== undefined) codeByFn.set(e.osrPc === null ? e.fn : `${e.fn} (osr at pc ${e.osrPc})`, e.code);
  select.replaceChildren(...[...codeByFn.keys()].map((k) => new Option(k, k)));
  if (codeByFn.has(before)) select.value = before;
  $('code').textContent = codeByFn.get(select.value) ?? (codeByFn.size ? '' : 'no function was compiled in this run');
}

function showCounts(events: readonly TierEvent[]): void {
  const last = [...events].reverse().find((e) => e.kind === 'counts' && e.final);
  if (!last || last.kind !== 'counts') { $('crossings').textContent = ''; return; }
  const c = last.crossings;
  $('crossings').textContent = `calls: interp→interp ${c.interpToInterp} · interp→compiled ${c.interpToCompiled} · ` +
    `compiled→interp ${c.compiledToInterp} · compiled→compiled not counted · from the host ${c.hostEntries}`;
}

async function runClicked(): Promise<RunResult> {
  const out = $('output');
  out.textContent = '';
  $('status').textContent = 'running…';
  const source = editor.state.doc.toString();
  showBytecodeOf(source);
  const started = performance.now();
  let drawn = false;
  const draw = (events: readonly TierEvent[]) => drawTierMap($('tiermap'), events, performance.now() - started);
  const p = runInWorker(source, options(), (stream, text) => {
    const span = document.createElement('span');
    span.className = stream;
    span.textContent = text;
    out.append(span);
  }, () => {
    if (drawn) return;
    drawn = true;
    requestAnimationFrame(() => { drawn = false; if (pending) draw(pending.result.events); });
  });
  const r = await p;
  draw(r.events);
  showCode(r.events);
  showCounts(r.events);
  $('status').textContent = `exit ${r.exitCode} · backend ${r.backend} · ${(performance.now() - started).toFixed(0)} ms`;
  return r;
}

function fillExamples(): void {
  const select = $<HTMLSelectElement>('examples');
  select.append(...(EXAMPLES as { name: string }[]).map((e, i) => new Option(e.name, String(i))));
  select.onchange = () => {
    const ex = (EXAMPLES as { name: string; source: string; args: string }[])[Number(select.value)];
    if (!ex) return;
    setSource(ex.source);
    $<HTMLInputElement>('args').value = ex.args;
  };
}

startWorker();
showCaps();
fillExamples();
if (!loadHash()) { setSource((EXAMPLES as { source: string }[])[0]!.source); }
$('run').onclick = () => { void runClicked(); };
$('stop').onclick = () => stop();
$('share').onclick = () => { saveHash(); void navigator.clipboard?.writeText(location.href).catch(() => {}); $('status').textContent = 'link in the address bar (and clipboard)'; };
$<HTMLSelectElement>('codefn').onchange = () => { $('code').textContent = codeByFn.get($<HTMLSelectElement>('codefn').value) ?? ''; };
for (const id of ['tier', 'threshold', 'backend']) $(id).onchange = () => saveHash();

declare global {
  interface Window {
    tiervm: {
      run(source: string, options?: RunOptions): Promise<RunResult>;
      capabilities(): Promise<Capabilities>;
      runButton(): Promise<RunResult>;
      setSource(text: string): void;
    };
  }
}

window.tiervm = {
  run: (source, o = {}) => runInWorker(source, o),
  capabilities: () => (caps ? Promise.resolve(caps) : new Promise((r) => capsWaiters.push(r))),
  runButton: () => runClicked(),
  setSource,
};
