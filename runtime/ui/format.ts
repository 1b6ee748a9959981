// Text pieces shared by the Ink and plain renderers: bars, sparklines, durations, and the one-line
// description of every finished event (so a CI log reads like the Ink UI's finished area).
import type { TaggedRunEvent } from '../contracts.ts';
import { formatResultsTable } from '../orchestrate/results.ts';

const PARTIAL = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A progress bar `width` cells wide for a fraction in [0,1] (eighth-cell resolution). */
export function bar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const eighths = Math.round(f * width * 8);
  const full = Math.floor(eighths / 8);
  const part = PARTIAL[eighths % 8];
  return '█'.repeat(full) + part + '░'.repeat(Math.max(0, width - full - (part ? 1 : 0)));
}

const SPARK = '▁▂▃▄▅▆▇█';

/** Sparkline of the last `width` values, scaled between their min and max (flat series → mid line). */
export function sparkline(values: readonly number[], width: number): string {
  const v = values.filter(Number.isFinite).slice(-width);
  if (v.length === 0) return '';
  const lo = Math.min(...v); const hi = Math.max(...v);
  if (hi - lo < 1e-12) return SPARK[3].repeat(v.length);
  return v.map((x) => SPARK[Math.min(7, Math.floor(((x - lo) / (hi - lo)) * 7.999))]).join('');
}

/** 75 → "1m15s", 3725 → "1h02m", 4.2 → "4.2s". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export const num = (x: number, digits = 4): string => (Number.isFinite(x) ? (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : x.toFixed(digits)) : String(x));
export const lr = (x: number): string => x.toExponential(2);
export const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

const loss = (l: { L: number; L_v: number; L_a: number; total: number }) =>
  `loss ${num(l.total)} (L ${num(l.L)} · L_v ${num(l.L_v)} · L_a ${num(l.L_a)})`;

// Epochs in RunEvents are 0-based indices (as runtime/train emits them); people count from 1.
const prefix = (e: TaggedRunEvent) => (e.run ? `[${e.run}] ` : '');

/**
 * One line for an event that belongs in the finished (scroll-back) area, or null for live-only events
 * (step, data-progress, probe-start) which the renderers show as progress instead.
 */
export function describe(e: TaggedRunEvent): string | null {
  const p = prefix(e);
  switch (e.type) {
    case 'program-start':
      return e.cells.length === 1 ? null
        : `${e.file}: ${e.cells.length} experiments (${e.cells.filter((c) => c.cached).length} already done), ${e.jobs} at a time`;
    case 'run-start':
      return `${p}▶ ${e.name} · backend ${e.backend}${e.backendDetail ? ` (${e.backendDetail})` : ''} · seed ${e.seed} · ${e.totalSteps} steps (${e.stepsPerEpoch}/epoch)` +
        (e.resumedFrom !== null ? ` · resuming from step ${e.resumedFrom}` : '') + ` · ${e.runDir}`;
    case 'selftest':
      // A passing gradient self-test is routine (seven ops per run); only a failure earns a line.
      return e.ok ? null : `${p}✗ backend self-test ${e.op} failed (max rel. error ${e.maxRelErr.toExponential(1)})`;
    case 'epoch-end':
      return `${p}epoch ${e.epoch + 1} · ${loss(e.loss)} · ${duration(e.seconds)}`;
    case 'checkpoint':
      return `${p}checkpoint step ${e.step} → ${e.path}`;
    case 'probe-end':
      return `${p}probe ${e.task}: ${e.metric} ${pct(e.value)}${e.std !== undefined ? ` ± ${pct(e.std)}` : ''}`;
    case 'warning':
      return `${p}warning: ${e.message}`;
    case 'diagnostic':
      return `${p}${e.severity} ${e.code}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`;
    case 'run-end':
      return `${p}${e.status === 'done' ? '✓ finished' : e.status === 'interrupted' ? '⏸ interrupted (checkpointed; re-run to resume)' : '· skipped (already done)'} in ${duration(e.seconds)}`;
    case 'cell-state':
      switch (e.state) {
        case 'cached': return `· ${e.name}: already done (results for its hashes exist)`;
        case 'done': return `✓ ${e.name} done`;
        case 'failed': return `✗ ${e.name} failed${e.detail ? `: ${e.detail}` : ''}`;
        case 'skipped': return `· ${e.name} not run${e.detail ? `: ${e.detail}` : ''}`;
        case 'interrupted': return `⏸ ${e.name} interrupted`;
        default: return null;
      }
    case 'results':
      return formatResultsTable(e.table);
    case 'data-progress':
      return e.done >= e.total ? `${p}data ${e.phase}: ${e.total} done${e.detail ? ` (${e.detail})` : ''}` : null;
    case 'step':
    case 'probe-start':
      return null;
  }
  return null;
}

/** Compact one-line progress of a step event, for the plain renderer. */
export function describeStep(e: Extract<TaggedRunEvent, { type: 'step' }>, total: number | null): string {
  return `${prefix(e)}step ${e.step}${total ? `/${total}` : ''} · epoch ${e.epoch + 1} · ${loss(e.loss)} · lr ${lr(e.lr)} · ${e.clipsPerSec.toFixed(1)} clips/s`;
}
