// The playground page: a CodeMirror editor for Tier (compile errors underlined,
// checked here with the bundled front-end; a runtime error underlines the line
// it was raised on), runs through runs.ts (a Web Worker where the page's policy
// allows one) with output streamed in, the bytecode of the program, the
// generated code of each compiled function, and the live tier map (tiermap.ts).
// The program and the tier controls travel in the URL hash, so a link shares both.
// For tests, window.tiervm.run(source, options) runs in the same runner as the
// Run button, shows the run in the same panes, and resolves to
// { stdout, stderr, exitCode, backend, events }.

import { EditorView, keymap, lineNumbers, highlightActiveLine } from '@codemirror/view';
import { EditorState } from '@codemirror/state';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching } from '@codemirror/language';
import { linter, lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { load, type TierEvent } from '../../src/vm.js';
import { tierLanguage } from './tier-lang.js';
import { drawTierMap, tierLog } from './tiermap.js';
import * as runs from './runs.js';
import type { Capabilities, RunOptions, RunResult } from './protocol.js';
// @ts-expect-error: made by build.mjs (every examples/*.tier and a few corpus programs)
import EXAMPLES from 'tier-examples';

const FILE = 'playground.tier';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const examples = EXAMPLES as { name: string; source: string; args: string; threshold: string | null }[];
/** The program shown when the link carries none. */
const FIRST_EXAMPLE = 'fib';

// ---- the editor --------------------------------------------------------------------

/** Where an error at (line, column) of `view`'s document is, and how long its token. */
function errorRange(view: EditorView, lineNo: number, column: number): { from: number; to: number } {
  const doc = view.state.doc;
  const line = doc.line(Math.min(Math.max(1, lineNo), doc.lines));
  const from = Math.min(line.from + Math.max(0, column - 1), line.to);
  // Underline the token at the error: a string literal, a word or number, else one character.
  const token = /^("(?:[^"\\]|\\.)*"?|[A-Za-z0-9_.]+)/.exec(doc.sliceString(from, line.to));
  return { from, to: Math.min(line.to, from + (token ? token[0].length : 1)) };
}

function diagnostics(view: EditorView): Diagnostic[] {
  const source = view.state.doc.toString();
  const r = load(FILE, source, { stderr: () => {} });
  if (r.ok) { $('bytecode').textContent = r.program.disassemble(); r.program.dispose(); return []; }
  $('bytecode').textContent = r.text;
  return r.errors.map((e) => ({ ...errorRange(view, e.line, e.column), severity: 'error', message: e.message }));
}

/** Underline the line a runtime error of the editor's program was raised on. */
function markRuntimeError(stderr: string): void {
  const m = /^runtime error: (.*)\n {2}at \S+ \(playground\.tier:(\d+)\)/m.exec(stderr);
  if (!m) return;
  const line = editor.state.doc.line(Math.min(Number(m[2]), editor.state.doc.lines));
  const from = line.from + (/^\s*/.exec(line.text)?.[0].length ?? 0);
  editor.dispatch(setDiagnostics(editor.state, [{ from, to: Math.max(from + 1, line.to), severity: 'error', message: `runtime error: ${m[1]}` }]));
}

const editor = new EditorView({
  parent: $('editor'),
  state: EditorState.create({
    doc: '',
    extensions: [
      lineNumbers(), history(), highlightActiveLine(), bracketMatching(),
      keymap.of([{ key: 'Mod-Enter', run: () => { void runClicked(); return true; } }, indentWithTab, ...defaultKeymap, ...historyKeymap]),
      tierLanguage, syntaxHighlighting(defaultHighlightStyle),
      linter(diagnostics, { delay: 250 }), lintGutter(),
      EditorView.contentAttributes.of({ 'aria-label': 'Tier program', 'data-testid': 'editor' }),
      EditorView.updateListener.of((u) => { if (u.docChanged) saveHash(); }),
    ],
  }),
});

function setSource(text: string): void {
  editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text } });
}

// ---- controls, share link ----------------------------------------------------------

/** The run options the page's controls say. */
function options(): RunOptions {
  return normalize({
    tier: $<HTMLSelectElement>('tier').value, jitThreshold: $<HTMLInputElement>('threshold').value,
    backend: $<HTMLSelectElement>('backend').value, args: $<HTMLInputElement>('args').value, stdin: $<HTMLTextAreaElement>('stdin').value,
  });
}

/** Run options from the controls or from window.tiervm.run: args as a list or
 *  as one string split at spaces, the threshold as a number or its digits,
 *  backend 'default' (or 'auto') for the VM's own choice. The rest reaches the
 *  VM as given (it refuses a bad value with a one-line error, exit 2). */
function normalize(o: Record<string, unknown>): RunOptions {
  const r: RunOptions = {};
  if (o.tier !== undefined && o.tier !== '') r.tier = o.tier as RunOptions['tier'];
  const th = typeof o.jitThreshold === 'string' ? (o.jitThreshold.trim() === '' ? undefined : Number(o.jitThreshold)) : o.jitThreshold;
  if (th !== undefined) r.jitThreshold = th as number;
  if (o.backend !== undefined && o.backend !== 'default' && o.backend !== 'auto' && o.backend !== '') r.backend = o.backend as RunOptions['backend'];
  r.args = typeof o.args === 'string' ? o.args.split(/\s+/).filter((a) => a !== '') : Array.isArray(o.args) ? o.args.map(String) : [];
  r.stdin = o.stdin === undefined || o.stdin === null ? '' : String(o.stdin);
  if (typeof o.file === 'string') r.file = o.file;
  return r;
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

const SHARED = ['tier', 'threshold', 'backend', 'args'];

function saveHash(): void {
  const p = new URLSearchParams();
  for (const id of SHARED) p.set(id, $<HTMLInputElement>(id).value);
  window.history.replaceState(null, '', `#${p}&code=${toBase64Url(editor.state.doc.toString())}`);
}

function loadHash(): boolean {
  const p = new URLSearchParams(location.hash.slice(1));
  for (const id of SHARED) { const v = p.get(id); if (v !== null) $<HTMLInputElement>(id).value = v; }
  const code = p.get('code');
  if (code === null) return false;
  try { setSource(fromBase64Url(code)); return true; } catch { return false; }
}

// ---- a run, shown ------------------------------------------------------------------

let codeByFn = new Map<string, string>();
/** How often the tier map of a run is redrawn while it runs. */
const LIVE_REDRAW_MS = 250;

function showCode(events: readonly TierEvent[]): void {
  const select = $<HTMLSelectElement>('codefn');
  const before = select.value;
  codeByFn = new Map();
  for (const e of events) {
    if (e.kind !== 'compiled' || e.code === undefined) continue;
    const tier = e.speculation !== null ? ', tier 2' : '';
    codeByFn.set(e.osrPc === null ? `${e.fn} (${e.backend}${tier})` : `${e.fn} (${e.backend}, osr at pc ${e.osrPc})`, e.code);
  }
  select.replaceChildren(...[...codeByFn.keys()].map((k) => new Option(k, k)));
  if (codeByFn.has(before)) select.value = before;
  $('code').textContent = codeByFn.get(select.value) ?? (codeByFn.size ? '' : 'no function was compiled in this run');
}

function showCounts(events: readonly TierEvent[]): void {
  const last = [...events].reverse().find((e) => e.kind === 'counts' && e.final);
  if (!last || last.kind !== 'counts') { $('crossings').textContent = ''; return; }
  const c = last.crossings;
  $('crossings').textContent = `calls: interp→interp ${c.interpToInterp} · interp→compiled ${c.interpToCompiled} · ` +
    `compiled→interp ${c.compiledToInterp} · compiled→compiled ${c.compiledToCompiled} · from the host ${c.hostEntries}`;
}

function setStatus(state: 'running' | 'done', text: string, r?: RunResult): void {
  const s = $('status');
  s.textContent = text;
  s.dataset.state = state;
  if (r) { s.dataset.exitCode = String(r.exitCode); s.dataset.backend = r.backend; }
  else { delete s.dataset.exitCode; delete s.dataset.backend; }
}

/** Run `source` as `o` says, showing it in the panes as it goes. */
function runShown(source: string, o: RunOptions, fromEditor: boolean): Promise<RunResult> {
  const out = $('output');
  let started = 0;
  let drawPending = false;
  const draw = (events: readonly TierEvent[]) => drawTierMap($('tiermap'), events, performance.now() - started);
  let ticking: ReturnType<typeof setInterval> | undefined;
  let events: readonly TierEvent[] = [];
  return runs.run(o.file ?? FILE, source, o, {
    onStart: () => {
      started = performance.now();
      // The time axis moves on while nothing changes tier (a long loop in compiled code).
      ticking = setInterval(() => draw(events), LIVE_REDRAW_MS);
      out.replaceChildren();
      $('tiermap').replaceChildren();
      $('tierlog').replaceChildren();
      setStatus('running', 'running…');
      showBytecodeOf(source);
    },
    onOut: (stream, text) => {
      const span = document.createElement('span');
      span.className = stream;
      span.textContent = text;
      out.append(span);
    },
    onEvents: (r) => {
      events = r.events;
      if (drawPending) return;
      drawPending = true;
      requestAnimationFrame(() => { drawPending = false; draw(r.events); });
    },
  }).then((r) => {
    clearInterval(ticking);
    draw(r.events);
    $('tierlog').replaceChildren(...tierLog(r.events));
    showCode(r.events);
    showCounts(r.events);
    setStatus('done', `exit ${r.exitCode} · backend ${r.backend} · ${(performance.now() - started).toFixed(0)} ms`, r);
    if (fromEditor && r.exitCode === 1) markRuntimeError(r.stderr);
    return r;
  });
}

/** The bytecode pane: the program's bytecode, or its compile errors. */
function showBytecodeOf(source: string): void {
  const r = load(FILE, source, { stderr: () => {} });
  $('bytecode').textContent = r.ok ? r.program.disassemble() : r.text;
  if (r.ok) r.program.dispose();
}

/** The Run button: a run already going is stopped first. */
function runClicked(): Promise<RunResult> {
  runs.stop();
  return runShown(editor.state.doc.toString(), options(), true);
}

function showCaps(c: Capabilities | null): void {
  const el = $('caps');
  if (c === null) { el.textContent = 'starting the runner…'; return; }
  const backend = c.wasm ? 'wasm' : c.eval ? 'js' : 'none';
  const stop = c.where === 'page' ? 'Stop unavailable: no worker allowed here, a run blocks the page'
    : c.crossOriginIsolated ? 'Stop interrupts the run' : 'Stop terminates the worker';
  el.textContent = `WebAssembly: ${c.wasm ? 'yes' : 'no'} · eval: ${c.eval ? 'yes' : 'no'} · backend by default: ${backend === 'none' ? 'none (interpreter only)' : backend} · ` +
    `runs in: ${c.where} · cross-origin isolated: ${c.crossOriginIsolated ? 'yes' : 'no'} (${stop})`;
  el.dataset.wasm = String(c.wasm);
  el.dataset.eval = String(c.eval);
  el.dataset.backend = backend;
}

function fillExamples(): void {
  const select = $<HTMLSelectElement>('examples');
  select.append(...examples.map((e, i) => new Option(e.name, String(i))));
  select.onchange = () => {
    const ex = examples[Number(select.value)];
    if (!ex) return;
    setSource(ex.source);
    $<HTMLInputElement>('args').value = ex.args;
    if (ex.threshold !== null) $<HTMLInputElement>('threshold').value = ex.threshold;
    saveHash();
  };
}

function wireControls(): void {
  // The editor's box takes focus for the editor (a script focusing #editor, then typing).
  $('editor').tabIndex = -1;
  $('editor').addEventListener('focus', () => editor.focus());
  $('run').onclick = () => { void runClicked(); };
  $('stop').onclick = () => runs.stop();
  $('share').onclick = () => {
    saveHash();
    void navigator.clipboard?.writeText(location.href).catch(() => {});
    $('status').textContent = 'link in the address bar (and clipboard)';
  };
  $<HTMLSelectElement>('codefn').onchange = () => { $('code').textContent = codeByFn.get($<HTMLSelectElement>('codefn').value) ?? ''; };
  for (const id of SHARED) $(id).onchange = () => saveHash();
  runs.onBusy((busy) => { $<HTMLButtonElement>('stop').disabled = !busy; });
  runs.onCapabilities(showCaps);
}

declare global {
  interface Window {
    tiervm: {
      run(source: string, options?: Record<string, unknown>): Promise<RunResult>;
      capabilities(): Promise<Capabilities>;
      runButton(): Promise<RunResult>;
      stop(): void;
      setSource(text: string): void;
      getSource(): string;
      /** The CodeMirror view of the editor. */
      editor: EditorView;
    };
  }
}

wireControls();
fillExamples();
if (!loadHash()) setSource((examples.find((e) => e.name === FIRST_EXAMPLE) ?? examples[0]!).source);
showCaps(null);
void runs.startRuns();
window.tiervm = {
  run: (source, o = {}) => runShown(source, normalize(o), false),
  capabilities: runs.capabilities,
  runButton: runClicked,
  stop: runs.stop,
  setSource,
  getSource: () => editor.state.doc.toString(),
  editor,
};
