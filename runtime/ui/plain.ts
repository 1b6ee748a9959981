// Line-per-event renderer for CI logs and pipes: the Ink UI's finished area as plain lines, plus a
// step line about every 5% of a run (a step line per step would drown a log) and data progress every 25%.
import type { TaggedRunEvent } from '../contracts.ts';
import { describe, describeStep } from './format.ts';
import { cleanText } from '../../compiler/render.ts';

export interface LineSink { write(s: string): unknown }

export interface PlainRendererOptions {
  out?: LineSink;
  /** Diagnostics and warnings go here (default process.stderr). */
  err?: LineSink;
  /** Step lines per run (default 20): one every ceil(totalSteps / stepLines) steps, and always the last. */
  stepLines?: number;
}

export function createPlainRenderer(o: PlainRendererOptions = {}) {
  // Labels, names and messages come from the spec: an ESC in a label must not reach the terminal raw.
  const safe = (sink: LineSink): LineSink => ({ write: (s: string) => sink.write(cleanText(s.replace(/\n$/, '')) + (s.endsWith('\n') ? '\n' : '')) });
  const out = safe(o.out ?? process.stdout);
  const err = safe(o.err ?? process.stderr);
  const stepLines = o.stepLines ?? 20;
  const totals = new Map<string, number>();
  const dataMark = new Map<string, number>();
  const printed = new Map<string, number>();
  let current = 'run';
  return {
    onEvent(e: TaggedRunEvent) {
      const run = e.run ?? (e.type === 'run-start' ? e.name : current);
      if (e.type === 'run-start') { totals.set(run, e.totalSteps); if (!e.run) current = e.name; }
      if (e.type === 'step') {
        const total = totals.get(run) ?? null;
        const every = total ? Math.max(1, Math.ceil(total / stepLines)) : 1;
        // By distance from the last printed step: training may log only every k-th step.
        const last = printed.get(run);
        if (last === undefined || e.step - last >= every || e.step === total) {
          printed.set(run, e.step);
          out.write(describeStep(e, total) + '\n');
        }
        return;
      }
      if (e.type === 'data-progress' && e.done < e.total) {
        const key = `${run}:${e.phase}`;
        const quarter = Math.floor((4 * e.done) / Math.max(1, e.total));
        if ((dataMark.get(key) ?? -1) < quarter) {
          dataMark.set(key, quarter);
          out.write(`${e.run ? `[${e.run}] ` : ''}data ${e.phase}: ${e.done}/${e.total}${e.detail ? ` ${e.detail}` : ''}\n`);
        }
        return;
      }
      if (e.type === 'probe-start') { out.write(`${e.run ? `[${e.run}] ` : ''}probing ${e.task} (${e.n} clips)\n`); return; }
      const text = describe(e);
      if (text === null) return;
      (e.type === 'diagnostic' || e.type === 'warning' ? err : out).write(text + '\n');
    },
    async close() { /* nothing buffered */ },
  };
}
