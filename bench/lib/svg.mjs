// Hand-written SVG charts for the benchmark reports (no chart library): grouped
// horizontal bars on a log scale, and line charts with event markers. Each function
// returns a complete standalone SVG document as a string.

const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';

/** Colours per runner kind: tiervm tiers in blues/purples, peers in distinct hues. */
export const PALETTE = ['#1f4e9e', '#4a86e8', '#8e63ce', '#6c8ebf', '#b4a7d6', '#e69138', '#38761d', '#cc0000', '#f1c232', '#45818e', '#a64d79', '#999999', '#783f04', '#274e13'];

export function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const r1 = (x) => Math.round(x * 10) / 10;

/** Ticks for a log axis from lo to hi: 1, 2, 5 times powers of ten. */
function logTicks(lo, hi) {
  const ticks = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)) + 1; e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) ticks.push(v);
    }
  }
  return ticks;
}

/** Ticks for a linear axis from 0 to hi, about `count` of them. */
function linTicks(hi, count = 6) {
  const raw = hi / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw;
  const ticks = [];
  for (let v = 0; v <= hi * 1.0001; v += step) ticks.push(+v.toPrecision(12));
  return ticks;
}

function fmtTick(v, unit) {
  const s = v >= 1000 ? `${v / 1000}k` : v >= 1 ? String(+v.toPrecision(3)) : String(+v.toPrecision(2));
  return unit ? `${s}${unit}` : s;
}

function legend(series, x, y, maxWidth) {
  const out = [];
  let cx = x;
  let cy = y;
  for (const s of series) {
    const w = 24 + s.label.length * 6.6;
    if (cx + w > x + maxWidth) { cx = x; cy += 18; }
    out.push(`<rect x="${r1(cx)}" y="${cy - 9}" width="12" height="12" fill="${s.color}"/>`);
    out.push(`<text x="${r1(cx + 16)}" y="${cy + 1}" font-size="12" ${FONT}>${esc(s.label)}</text>`);
    cx += w;
  }
  return { svg: out.join('\n'), height: cy - y + 18 };
}

/**
 * Grouped horizontal bars on a log scale.
 *   groups: [{ label, sublabel?, bars: [{ series, value, lo?, hi?, note? }] }]
 *   series: [{ id, label, color }]
 * A bar with value null is drawn as a grey "n/a" / note text instead.
 */
export function groupedBarChart({ title, subtitle, unit, axisLabel, groups, series, width = 900 }) {
  const barH = 11;
  const gap = 2;
  const groupGap = 14;
  const left = 150;
  const right = 110;
  const plotW = width - left - right;
  const values = groups.flatMap((g) => g.bars.flatMap((b) => [b.value, b.lo, b.hi])).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const X = (v) => left + (Math.log10(v / lo) / Math.log10(hi / lo)) * plotW;
  const seriesById = new Map(series.map((s) => [s.id, s]));

  const head = [];
  head.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold" ${FONT}>${esc(title)}</text>`);
  let y = 40;
  if (subtitle) {
    for (const line of [].concat(subtitle)) {
      head.push(`<text x="${width / 2}" y="${y}" text-anchor="middle" font-size="11" fill="#444" ${FONT}>${esc(line)}</text>`);
      y += 15;
    }
  }
  const lg = legend(series, left, y + 8, plotW + right - 10);
  head.push(lg.svg);
  y += lg.height + 20;
  const plotTop = y;

  const body = [];
  for (const g of groups) {
    const gTop = y;
    for (const b of g.bars) {
      const s = seriesById.get(b.series);
      const cy = y + barH / 2;
      if (b.value > 0) {
        body.push(`<rect x="${left}" y="${y}" width="${r1(Math.max(1, X(b.value) - left))}" height="${barH}" fill="${s.color}"><title>${esc(`${g.label}, ${s.label}: ${b.text ?? b.value}`)}</title></rect>`);
        if (b.lo > 0 && b.hi > 0 && b.hi > b.lo) {
          body.push(`<line x1="${r1(X(b.lo))}" y1="${r1(cy)}" x2="${r1(X(b.hi))}" y2="${r1(cy)}" stroke="#000" stroke-width="1"/>`);
          body.push(`<line x1="${r1(X(b.lo))}" y1="${y + 2}" x2="${r1(X(b.lo))}" y2="${y + barH - 2}" stroke="#000" stroke-width="1"/>`);
          body.push(`<line x1="${r1(X(b.hi))}" y1="${y + 2}" x2="${r1(X(b.hi))}" y2="${y + barH - 2}" stroke="#000" stroke-width="1"/>`);
        }
        const tx = Math.max(X(b.value), b.hi > 0 ? X(b.hi) : 0) + 4;
        body.push(`<text x="${r1(tx)}" y="${r1(cy + 4)}" font-size="10" ${FONT}>${esc(b.text ?? fmtTick(b.value, unit))}</text>`);
      } else {
        body.push(`<text x="${left + 4}" y="${r1(cy + 4)}" font-size="10" fill="#888" ${FONT}>${esc(`${s.label}: ${b.note ?? 'n/a'}`)}</text>`);
      }
      y += barH + gap;
    }
    const mid = (gTop + y - gap) / 2;
    body.push(`<text x="${left - 8}" y="${r1(mid + (g.sublabel ? 0 : 4))}" text-anchor="end" font-size="13" font-weight="bold" ${FONT}>${esc(g.label)}</text>`);
    if (g.sublabel) body.push(`<text x="${left - 8}" y="${r1(mid + 14)}" text-anchor="end" font-size="10" fill="#555" ${FONT}>${esc(g.sublabel)}</text>`);
    y += groupGap;
  }
  const plotBottom = y - groupGap + 4;

  const grid = [];
  for (const t of logTicks(lo, hi)) {
    const major = Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9;
    grid.push(`<line x1="${r1(X(t))}" y1="${plotTop - 4}" x2="${r1(X(t))}" y2="${plotBottom}" stroke="${major ? '#bbb' : '#e4e4e4'}" stroke-width="1"/>`);
    grid.push(`<text x="${r1(X(t))}" y="${plotBottom + 14}" text-anchor="middle" font-size="10" ${FONT}>${esc(fmtTick(t, unit))}</text>`);
  }
  grid.push(`<line x1="${left}" y1="${plotTop - 4}" x2="${left}" y2="${plotBottom}" stroke="#000"/>`);
  const height = plotBottom + 40;
  const foot = `<text x="${left + plotW / 2}" y="${plotBottom + 32}" text-anchor="middle" font-size="11" ${FONT}>${esc(axisLabel)}</text>`;
  return svgDoc(width, height, [...grid, ...head, ...body, foot]);
}

/**
 * Line chart: series of (x, y) points on linear axes (y optionally log), plus
 * vertical event markers.
 *   series: [{ label, color, points: [[x, y]], dashed? }]
 *   markers: [{ x, label, color? }]
 */
export function lineChart({ title, subtitle, xLabel, yLabel, series, markers = [], width = 900, height = 460, logY = false }) {
  const left = 70;
  const right = 20;
  const top0 = 34;
  const head = [];
  head.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold" ${FONT}>${esc(title)}</text>`);
  let top = top0;
  for (const line of [].concat(subtitle ?? [])) {
    head.push(`<text x="${width / 2}" y="${top + 6}" text-anchor="middle" font-size="11" fill="#444" ${FONT}>${esc(line)}</text>`);
    top += 15;
  }
  const lg = legend(series.map((s) => ({ label: s.label, color: s.color })), left, top + 14, width - left - right);
  head.push(lg.svg);
  top += lg.height + 22;
  const bottom = height - 50;
  const plotW = width - left - right;
  const plotH = bottom - top;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => (logY ? v > 0 : true));
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  let yLo;
  let yHi;
  let yTicks;
  if (logY) {
    yLo = 10 ** Math.floor(Math.log10(Math.min(...ys)));
    yHi = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
    yTicks = logTicks(yLo, yHi);
  } else {
    yLo = 0;
    yTicks = linTicks(Math.max(...ys) * 1.05);
    yHi = yTicks[yTicks.length - 1];
  }
  const X = (v) => left + ((v - xMin) / Math.max(1e-9, xMax - xMin)) * plotW;
  const Y = (v) => (logY
    ? bottom - (Math.log10(Math.max(v, yLo) / yLo) / Math.log10(yHi / yLo)) * plotH
    : bottom - ((v - yLo) / (yHi - yLo)) * plotH);

  const out = [...head];
  for (const t of yTicks) {
    out.push(`<line x1="${left}" y1="${r1(Y(t))}" x2="${left + plotW}" y2="${r1(Y(t))}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${left - 6}" y="${r1(Y(t) + 4)}" text-anchor="end" font-size="10" ${FONT}>${esc(fmtTick(t))}</text>`);
  }
  for (const t of linTicks(xMax - xMin, 10).map((v) => v + xMin)) {
    out.push(`<line x1="${r1(X(t))}" y1="${bottom}" x2="${r1(X(t))}" y2="${bottom + 4}" stroke="#000"/>`);
    out.push(`<text x="${r1(X(t))}" y="${bottom + 16}" text-anchor="middle" font-size="10" ${FONT}>${esc(fmtTick(t))}</text>`);
  }
  out.push(`<line x1="${left}" y1="${bottom}" x2="${left + plotW}" y2="${bottom}" stroke="#000"/>`);
  out.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#000"/>`);
  out.push(`<text x="${left + plotW / 2}" y="${height - 14}" text-anchor="middle" font-size="11" ${FONT}>${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${r1(top + plotH / 2)}) rotate(-90)" text-anchor="middle" font-size="11" ${FONT}>${esc(yLabel)}</text>`);

  // Markers: vertical dashed lines, labels stacked so they do not overlap.
  let lastX = -Infinity;
  let row = 0;
  for (const m of markers) {
    const mx = X(m.x);
    row = mx - lastX < 120 ? row + 1 : 0;
    lastX = mx;
    const color = m.color ?? '#444';
    out.push(`<line x1="${r1(mx)}" y1="${top}" x2="${r1(mx)}" y2="${bottom}" stroke="${color}" stroke-dasharray="4 3" stroke-width="1"/>`);
    out.push(`<text x="${r1(mx + 3)}" y="${top + 12 + 12 * (row % 6)}" font-size="10" fill="${color}" ${FONT}>${esc(m.label)}</text>`);
  }
  for (const s of series) {
    const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${r1(X(p[0]))} ${r1(Y(p[1]))}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    for (const p of s.points) out.push(`<circle cx="${r1(X(p[0]))}" cy="${r1(Y(p[1]))}" r="2.2" fill="${s.color}"><title>${esc(`${s.label}: iteration ${p[0]}, ${p[1].toFixed(3)}`)}</title></circle>`);
  }
  return svgDoc(width, height, out);
}

function svgDoc(width, height, parts) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${r1(height)}" viewBox="0 0 ${width} ${r1(height)}">
<rect x="0" y="0" width="${width}" height="${r1(height)}" fill="#fff"/>
${parts.join('\n')}
</svg>
`;
}
