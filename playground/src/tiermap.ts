// The live tier map: one row per function on a time axis (ms since the VM
// instance was made), drawn as SVG from the tier events of one run.
//   grey   interpreted: from the call-count sample before the one that first saw
//          the function called (or 0) until it was installed compiled;
//   striped still interpreted, queued for the compiler thread (Node hosts; in a
//          browser compiles are synchronous, so none is drawn);
//   blue   compiled by the wasm backend, orange by the js backend;
//   ticks  OSR entries (loop headers entered in compiled code);
//   red    a failed compile (the function stays interpreted).
// Labels: final call count, back-edges, and compile time. The interpreted start is
// as precise as the samples (taken at each install or failure, and at the end).

import type { TierEvent } from '../../src/vm.js';

interface Row {
  fn: string;
  firstSeen: number | null;
  installed: number | null;
  /** When it was queued for the compiler thread (null: compiled synchronously). */
  queued: number | null;
  backend: 'wasm' | 'js' | null;
  compileMs: number;
  osr: number[];
  failed: { t: number; reason: string } | null;
  calls: number;
  loops: number;
}

/** Rows in the order functions first appear, from every event so far. */
export function tierRows(events: readonly TierEvent[]): Row[] {
  const rows = new Map<string, Row>();
  const row = (fn: string) => {
    let r = rows.get(fn);
    if (!r) rows.set(fn, r = { fn, firstSeen: null, installed: null, queued: null, backend: null, compileMs: 0, osr: [], failed: null, calls: 0, loops: 0 });
    return r;
  };
  let lastSample = 0;
  for (const e of events) {
    switch (e.kind) {
      case 'queued': { if (e.osrPc === null) row(e.fn).queued = e.t; break; }
      case 'compiled': { const r = row(e.fn); r.compileMs += e.ms; r.backend = e.backend; break; }
      case 'installed': { const r = row(e.fn); r.installed = e.t; r.backend = e.backend; r.firstSeen ??= lastSample; break; }
      case 'osr': { const r = row(e.fn); r.osr.push(e.t); r.firstSeen ??= lastSample; break; }
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
const ROW_H = 22, LABEL_W = 130, STATS_W = 270;

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Draw the map of `events` into `host` for a run that has lasted `now` ms. */
export function drawTierMap(host: HTMLElement, events: readonly TierEvent[], now: number): void {
  const rows = tierRows(events);
  const width = Math.max(500, host.clientWidth || 800);
  const plotW = width - LABEL_W - STATS_W;
  const end = Math.max(now, 1, ...events.map((e) => e.t));
  const x = (t: number) => LABEL_W + (Math.min(t, end) / end) * plotW;
  const svg = el('svg', { width, height: (rows.length + 1) * ROW_H + 6, class: 'tiermap' }) as SVGSVGElement;
  svg.append(el('text', { x: LABEL_W, y: 14, class: 'axis' }, '0 ms'), el('text', { x: LABEL_W + plotW, y: 14, class: 'axis', 'text-anchor': 'end' }, `${end.toFixed(1)} ms`));
  rows.forEach((r, i) => {
    const y = (i + 1) * ROW_H;
    const g = el('g', { class: 'row', 'data-fn': r.fn });
    g.append(el('text', { x: 4, y: y + 15, class: 'fn' }, r.fn));
    const start = r.firstSeen ?? 0;
    const interpEnd = r.installed ?? end;
    g.append(el('rect', { x: x(start), y: y + 4, width: Math.max(1, x(interpEnd) - x(start)), height: 14, class: 'interp' }));
    if (r.queued !== null) g.append(el('rect', { x: x(r.queued), y: y + 4, width: Math.max(1, x(interpEnd) - x(r.queued)), height: 14, class: 'queued' }));
    if (r.installed !== null) g.append(el('rect', { x: x(r.installed), y: y + 4, width: Math.max(2, x(end) - x(r.installed)), height: 14, class: `compiled ${r.backend}` }));
    for (const t of r.osr.slice(0, 200)) g.append(el('line', { x1: x(t), x2: x(t), y1: y + 1, y2: y + 21, class: 'osr' }));
    if (r.failed) g.append(el('circle', { cx: x(r.failed.t), cy: y + 11, r: 5, class: 'failed' }));
    const tier = r.installed !== null ? `${r.backend} in ${r.compileMs.toFixed(2)} ms` : r.failed ? 'failed' : 'interpreted';
    const osr = r.osr.length ? `, ${r.osr.length} osr` : '';
    g.append(el('text', { x: LABEL_W + plotW + 6, y: y + 15, class: 'stats' }, `${r.calls} calls${osr}, ${tier}`));
    if (r.failed) g.append(el('title', {}, r.failed.reason));
    svg.append(g);
  });
  host.replaceChildren(svg);
}
