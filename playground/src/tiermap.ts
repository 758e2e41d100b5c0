// The live tier map: one row per function on a time axis (ms since the VM
// instance was made), drawn as SVG from the tier events of one run, and the
// event log beside it (the --trace-tier / --trace-deopt lines of the same events).
//   grey   interpreted: from the call-count sample before the one that first saw
//          the function called (or 0) until it was installed compiled;
//   striped still interpreted, queued for the compiler thread (Node hosts; in a
//          browser compiles are synchronous, so none is drawn);
//   blue   tier 1 by the wasm backend, dark blue tier 2 (speculating on the
//          profile), orange tier 1 by the js backend; a row changes colour at
//          each install (tier 1 -> tier 2, and back after an invalidation);
//   ticks  OSR entries (loop headers entered in compiled code);
//   red    deopts of tier-2 code (triangles; the reason in the tooltip and the
//          label), invalidations (a red bar), a failed compile (a dot).
// Labels: final call count, OSR entries, the tier now, compile time, deopts. The
// interpreted start is as precise as the samples (taken at each install or
// failure, and at the end).

import { formatTierEvent, type TierEvent } from '../../src/vm.js';

interface Install { t: number; backend: 'wasm' | 'js'; tier: 1 | 2 }

interface Row {
  fn: string;
  firstSeen: number | null;
  /** When it was queued for the compiler thread (null: compiled synchronously). */
  queued: number | null;
  installs: Install[];
  /** The tier of the last whole-function compile, for its install. */
  compiling: 1 | 2;
  compileMs: number;
  osr: number[];
  deopts: { t: number; pc: number; reason: string }[];
  invalidated: number[];
  failed: { t: number; reason: string } | null;
  calls: number;
  loops: number;
}

/** Rows in the order functions first appear, from every event so far. */
export function tierRows(events: readonly TierEvent[]): Row[] {
  const rows = new Map<string, Row>();
  const row = (fn: string) => {
    let r = rows.get(fn);
    if (!r) {
      rows.set(fn, r = { fn, firstSeen: null, queued: null, installs: [], compiling: 1, compileMs: 0, osr: [], deopts: [], invalidated: [], failed: null, calls: 0, loops: 0 });
    }
    return r;
  };
  let lastSample = 0;
  for (const e of events) {
    switch (e.kind) {
      case 'queued': { if (e.osrPc === null && !e.tier2) row(e.fn).queued ??= e.t; break; }
      case 'compiled': { const r = row(e.fn); r.compileMs += e.ms; if (e.osrPc === null) r.compiling = e.speculation !== null ? 2 : 1; break; }
      case 'installed': { const r = row(e.fn); r.installs.push({ t: e.t, backend: e.backend, tier: r.compiling }); r.firstSeen ??= lastSample; break; }
      case 'osr': { const r = row(e.fn); r.osr.push(e.t); r.firstSeen ??= lastSample; break; }
      case 'deopt': row(e.fn).deopts.push({ t: e.t, pc: e.pc, reason: e.reason }); break;
      case 'invalidated': row(e.fn).invalidated.push(e.t); break;
      case 'failed': { const r = row(e.fn); r.failed = { t: e.t, reason: e.reason }; r.firstSeen ??= lastSample; break; }
      case 'counts':
        e.names.forEach((fn, f) => {
          if (e.calls[f]! === 0 && e.loops[f]! === 0 && !rows.has(fn)) return;
          const r = row(fn);
          r.firstSeen ??= lastSample;
          r.calls = e.calls[f]!; r.loops = e.loops[f]!;
        });
        lastSample = e.t;
        break;
      default: break;
    }
  }
  return [...rows.values()];
}

const SVG = 'http://www.w3.org/2000/svg';
const ROW_H = 22, LABEL_W = 130;
/** Width of a character of the stats labels (10px monospace). */
const CHAR_W = 6.1;
/** Marks drawn per row at most (an OSR-heavy run makes thousands). */
const MAX_MARKS = 200;

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function titled(e: SVGElement, title: string): SVGElement {
  e.append(el('title', {}, title));
  return e;
}

/** The label after a row's bars: calls, OSR entries, tier now, deopts. */
function stats(r: Row): string {
  const last = r.installs[r.installs.length - 1];
  const tier = last ? `${last.backend} tier ${last.tier} compiled in ${r.compileMs.toFixed(2)} ms` : r.failed ? 'compile failed' : 'interpreted';
  const osr = r.osr.length ? `, ${r.osr.length} osr` : '';
  const deopts = r.deopts.length ? `, ${r.deopts.length} deopt${r.deopts.length === 1 ? '' : 's'} (${[...new Set(r.deopts.map((d) => d.reason))].join(', ')})` : '';
  return `${r.calls} calls${osr}, ${tier}${deopts}`;
}

function drawRow(r: Row, y: number, x: (t: number) => number, end: number): SVGElement {
  const g = el('g', { class: 'row', 'data-fn': r.fn, 'data-tier': String(r.installs[r.installs.length - 1]?.tier ?? 0), 'data-deopts': r.deopts.length });
  g.append(el('text', { x: 4, y: y + 15, class: 'fn' }, r.fn));
  const bar = (from: number, to: number, cls: string, title: string, min = 1) =>
    g.append(titled(el('rect', { x: x(from), y: y + 4, width: Math.max(min, x(to) - x(from)), height: 14, class: cls }), title));
  const start = r.firstSeen ?? 0;
  const interpEnd = r.installs[0]?.t ?? end;
  bar(start, interpEnd, 'interp', `${r.fn}: interpreted`);
  if (r.queued !== null) bar(r.queued, interpEnd, 'queued', `${r.fn}: queued for the compiler thread`);
  r.installs.forEach((s, i) => bar(s.t, r.installs[i + 1]?.t ?? end, `compiled ${s.backend} tier${s.tier}`, `${r.fn}: ${s.backend} tier ${s.tier} from ${s.t.toFixed(2)} ms`, 2));
  for (const t of r.osr.slice(0, MAX_MARKS)) g.append(titled(el('line', { x1: x(t), x2: x(t), y1: y + 1, y2: y + 21, class: 'osr' }), `${r.fn}: OSR entry at ${t.toFixed(2)} ms`));
  for (const d of r.deopts.slice(0, MAX_MARKS)) {
    const cx = x(d.t);
    g.append(titled(el('path', { d: `M${cx - 4},${y + 1} L${cx + 4},${y + 1} L${cx},${y + 9} Z`, class: 'deopt' }), `${r.fn}: deopt at pc ${d.pc}: ${d.reason}`));
  }
  for (const t of r.invalidated) g.append(titled(el('rect', { x: x(t) - 1, y: y + 2, width: 3, height: 18, class: 'invalidated' }), `${r.fn}: tier-2 code invalidated`));
  if (r.failed) g.append(titled(el('circle', { cx: x(r.failed.t), cy: y + 11, r: 5, class: 'failed' }), `${r.fn}: ${r.failed.reason}`));
  g.append(el('text', { x: x(end) + 6, y: y + 15, class: 'stats' }, stats(r)));
  return g;
}

/** Draw the map of `events` into `host` for a run that has lasted `now` ms. */
export function drawTierMap(host: HTMLElement, events: readonly TierEvent[], now: number): void {
  const rows = tierRows(events);
  const width = Math.max(600, host.clientWidth || 800);
  const statsW = Math.min(width * 0.6, 12 + CHAR_W * Math.max(0, ...rows.map((r) => stats(r).length)));
  const plotW = width - LABEL_W - statsW;
  const end = Math.max(now, 1, ...events.map((e) => e.t));
  const x = (t: number) => LABEL_W + (Math.min(t, end) / end) * plotW;
  const svg = el('svg', { width, height: (rows.length + 1) * ROW_H + 6, class: 'tiermap', role: 'img', 'aria-label': 'tier map' }) as SVGSVGElement;
  svg.append(el('text', { x: LABEL_W, y: 14, class: 'axis' }, '0 ms'), el('text', { x: LABEL_W + plotW, y: 14, class: 'axis', 'text-anchor': 'end' }, `${end.toFixed(1)} ms`));
  rows.forEach((r, i) => svg.append(drawRow(r, (i + 1) * ROW_H, x, end)));
  host.replaceChildren(svg);
}

/** Lines of the tier log shown at most (the rest are counted). */
const MAX_LOG = 400;

/** The event log: each event's --trace-tier / --trace-deopt line with its time. */
export function tierLog(events: readonly TierEvent[]): HTMLElement[] {
  const lines: HTMLElement[] = [];
  let more = 0;
  for (const e of events) {
    const text = formatTierEvent(e) ?? (e.kind === 'backend' ? `[tier] backend: ${e.backend} (${e.reason})` : null);
    if (text === null) continue;
    if (lines.length >= MAX_LOG) { more++; continue; }
    const li = document.createElement('li');
    li.className = e.kind;
    li.textContent = `${e.t.toFixed(2).padStart(9)} ms  ${text}`;
    lines.push(li);
  }
  if (more > 0) { const li = document.createElement('li'); li.textContent = `… ${more} more`; lines.push(li); }
  return lines;
}
