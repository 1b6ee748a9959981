// Inline SVG charts for self-contained reports: line charts (loss curves) and scatter plots (embeddings).
// Every string that reaches the markup goes through esc(); numbers are formatted, never interpolated raw.

export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Qualitative palette (Tableau 10); series beyond ten reuse colours. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const f = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(2)).toString() : '0');

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

const fmtTick = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : Number(v.toPrecision(3)).toString());

export interface Series { name: string; points: [number, number][] }

/** Line chart of several series sharing axes; legend below. */
export function lineChart(series: Series[], opts: { title: string; xLabel: string; yLabel: string; width?: number; height?: number }): string {
  const W = opts.width ?? 640; const H = opts.height ?? 320;
  const m = { l: 56, r: 16, t: 28, b: 44 };
  const legendH = 18 * Math.ceil(series.length / 3);
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = all.map((p) => p[0]); const ys = all.map((p) => p[1]);
  const x0 = xs.length ? Math.min(...xs) : 0; const x1 = xs.length ? Math.max(...xs) : 1;
  let y0 = ys.length ? Math.min(...ys) : 0; let y1 = ys.length ? Math.max(...ys) : 1;
  if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const sy = (y: number) => m.t + (1 - (y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H + legendH}" width="${W}" height="${H + legendH}" role="img" aria-label="${esc(opts.title)}" font-family="sans-serif" font-size="11">`);
  parts.push(`<title>${esc(opts.title)}</title>`);
  parts.push(`<text x="${W / 2}" y="16" text-anchor="middle" font-size="13">${esc(opts.title)}</text>`);
  for (const t of niceTicks(y0, y1)) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${f(sy(t))}" y2="${f(sy(t))}" stroke="#e5e5e5"/><text x="${m.l - 6}" y="${f(sy(t) + 4)}" text-anchor="end">${esc(fmtTick(t))}</text>`);
  }
  for (const t of niceTicks(x0, x1)) {
    parts.push(`<text x="${f(sx(t))}" y="${H - m.b + 16}" text-anchor="middle">${esc(fmtTick(t))}</text>`);
  }
  parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#333"/><line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#333"/>`);
  parts.push(`<text x="${(W + m.l) / 2}" y="${H - 8}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(H - m.b + m.t) / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    const colour = PALETTE[i % PALETTE.length];
    if (pts.length > 1) parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${pts.map(([x, y]) => `${f(sx(x))},${f(sy(y))}`).join(' ')}"><title>${esc(s.name)}</title></polyline>`);
    else if (pts.length === 1) parts.push(`<circle cx="${f(sx(pts[0][0]))}" cy="${f(sy(pts[0][1]))}" r="3" fill="${colour}"/>`);
    const lx = m.l + (i % 3) * ((W - m.l) / 3); const ly = H + 12 + 18 * Math.floor(i / 3);
    parts.push(`<rect x="${f(lx)}" y="${ly - 8}" width="10" height="10" fill="${colour}"/><text x="${f(lx + 14)}" y="${ly + 1}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface ScatterPoint { x: number; y: number; group: string }

/** Scatter plot coloured by group, with a legend of the groups (sorted). */
export function scatter(points: ScatterPoint[], opts: { title: string; width?: number; height?: number }): string {
  const W = opts.width ?? 420; const H = opts.height ?? 360;
  const m = { l: 16, r: 16, t: 28, b: 16 };
  const groups = [...new Set(points.map((p) => p.group))].sort();
  const legendH = 18 * Math.ceil(groups.length / 3);
  const xs = points.map((p) => p.x); const ys = points.map((p) => p.y);
  const x0 = Math.min(...xs, 0); const x1 = Math.max(...xs, 0); const y0 = Math.min(...ys, 0); const y1 = Math.max(...ys, 0);
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const sy = (y: number) => m.t + (1 - (y - y0) / (y1 - y0 || 1)) * (H - m.t - m.b);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H + legendH}" width="${W}" height="${H + legendH}" role="img" aria-label="${esc(opts.title)}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(opts.title)}</title>`, `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13">${esc(opts.title)}</text>`,
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#ccc"/>`];
  for (const p of points) {
    const colour = PALETTE[groups.indexOf(p.group) % PALETTE.length];
    parts.push(`<circle cx="${f(sx(p.x))}" cy="${f(sy(p.y))}" r="3" fill="${colour}" fill-opacity="0.8"><title>${esc(p.group)}</title></circle>`);
  }
  groups.forEach((g, i) => {
    const lx = m.l + (i % 3) * ((W - m.l) / 3); const ly = H + 12 + 18 * Math.floor(i / 3);
    parts.push(`<circle cx="${f(lx + 5)}" cy="${ly - 3}" r="4" fill="${PALETTE[i % PALETTE.length]}"/><text x="${f(lx + 14)}" y="${ly + 1}">${esc(g)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
