// Confound check (docs/diff-and-grids.md §Confounds): two cells of a grid that differ in exactly one
// axis (plus the axes zipped with it) are the grid's comparisons. If such a pair also differs in a
// field the compared axis does not set — a `when` block keyed on the axis that also changes the seed,
// the epochs, the data budget… — the comparison is confounded: warn, pointing at the entry that
// introduces the difference and at the axis. Two things are deliberately not confounds:
//   * `init from` (per-cell lineage is declared design: A.3 continues A.1), and
//   * `when` blocks of an axis without a target (such an axis *is* defined by its `when` blocks), and
//   * probes only one of the cells runs (B.3's extra action/VGGSound probes).
// Also flagged: an axis that changes the data budget while training length is given in epochs, so
// the compared cells train for different numbers of steps (the paper compares B.1–B.3 at equal steps);
// and cells that train for the same number of steps but resolve to different schedules — a warm-up
// given in epochs over different budgets (B.1–B.3 at 2 epochs: 11,524 / 9,572 / 18,946 warm-up steps).
import type { Field, GridDecl, Span } from '../grammar/ast.ts';
import type { Diagnostic } from './diagnostic.ts';
import type { ResolvedSpec } from './spec.ts';
import { M, diag } from './messages.ts';
import { gridLayout, valueText } from './grid.ts';
import { diffSpecs, showValue } from './diff.ts';
import { EXPERIMENT_FIELDS, fieldAt } from './schema/fields.ts';
import { scheduleFor } from './lower.ts';

/** The schedule a spec trains with, in steps, as lowering resolves it; null when it needs an open budget's epoch length. */
function resolvedSchedule(s: ResolvedSpec): { warmupSteps: number; totalSteps: number } | null {
  const o = s.optim;
  const needsEpochs = !('steps' in o.duration) || !('steps' in o.schedule.warmup);
  const global = s.data.batch.per_device * s.data.batch.devices;
  if (needsEpochs && s.data.budget === null) return null;
  const spe = s.data.budget === null ? 1 : Math.max(1, Math.ceil(s.data.budget / global));
  return scheduleFor({ lr: o.optimizer.lr, minLr: o.schedule.min_lr, scheduleKind: o.schedule.kind, warmup: o.schedule.warmup, duration: o.duration }, spe);
}
const n = (x: number) => x.toLocaleString('en-US');
const shots = (x: number) => (x >= 1e6 ? `${Number((x / 1e6).toFixed(2))}M` : n(x));
const warmupText = (s: ResolvedSpec) => ('steps' in s.optim.schedule.warmup ? `${n(s.optim.schedule.warmup.steps)} steps` : `${s.optim.schedule.warmup.epochs} epochs over ${s.data.budget === null ? 'all' : shots(s.data.budget)} shots`);

/** Resolved-spec paths a source field path lands on (field table `to`, plus the fields built from extras). */
const EXTRA_TARGETS: Record<string, string[]> = {
  'dubs.policy': ['dubs.policy', 'dubs.languages'],
  'data.shots.length': ['data.shots.min_length', 'data.shots.max_length'],
  'views.video.scale': ['views.video.scale'],
  'data.batch.same_title': ['data.batch.same_title_per_device'],
  'model.heads.video_dim': ['model.heads.dim'],
  'model.heads.audio_dim': ['model.heads.dim'],
};
export function resolvedPaths(source: string): string[] {
  if (EXTRA_TARGETS[source]) return EXTRA_TARGETS[source];
  const f = fieldAt('experiment', source);
  return [f?.to ?? source];
}
const under = (path: string, prefixes: string[]) => prefixes.some((p) => path === p || path.startsWith(p + '.') || path.startsWith(p + '['));

/** Flattened source path → field of a `when` body. */
function whenFields(entries: import('../grammar/ast.ts').Entry[], prefix = ''): { path: string; field: Field }[] {
  const out: { path: string; field: Field }[] = [];
  for (const e of entries) {
    if (e.kind === 'InitFrom') continue;
    const p = (prefix ? prefix + '.' : '') + e.key.parts.map((x) => x.name).join('.');
    if (e.kind === 'Section') out.push(...whenFields(e.body.entries, p));
    else out.push({ path: p, field: e });
  }
  return out;
}

/** Source field paths whose value lands on the resolved path `resolved` (or on a part of it). */
function sourcePathsOf(resolved: string): string[] {
  return EXPERIMENT_FIELDS.map((f) => f.path).filter((p) => !p.endsWith('.*') && resolvedPaths(p).some((r) => under(resolved, [r]) || under(r, [resolved])));
}

/**
 * @param provenance where the value of source field `path` of experiment `name` was set (the compiler's
 * per-experiment assignment map); lets the warning point at both cells' settings, e.g. the base preset
 * for one cell and the `when` entry for the other.
 */
export function checkConfounds(decl: GridDecl, specOf: (name: string) => ResolvedSpec | undefined,
  provenance?: (name: string, path: string) => Span | undefined): Diagnostic[] {
  const layout = gridLayout(decl);
  if (!layout) return [];
  const { axes, cells, whens } = layout;
  const out: Diagnostic[] = [];
  const reported = new Set<string>();
  // Which `when` blocks (that set more than lineage) apply to each cell: pairs with equal sets cannot differ.
  const whenData = whens.map((w) => ({ ...w, fields: whenFields(w.decl.body.entries) }));
  const applied = cells.map((c) => whenData.map((w, i) => (w.fields.length && w.match.every(([a, v]) => c.pos[a] === v) ? i : -1)).filter((i) => i >= 0));
  const appliedKey = applied.map((x) => x.join());
  // Per cell, not per axis and cell: a 10,000-cell grid with 4 axes looked each spec up, and worked
  // out its schedule, 40,000 times.
  const specs = cells.map((c) => specOf(c.name));
  const schedules = new Map<number, ReturnType<typeof resolvedSchedule>>();
  const scheduleOf = (ci: number) => {
    if (!schedules.has(ci)) { const s = specs[ci]; schedules.set(ci, s ? resolvedSchedule(s) : null); }
    return schedules.get(ci)!;
  };

  axes.forEach((axis, ai) => {
    if (!axis.target) return; // defined by its `when` blocks
    const group = axes.map((a, j) => (a.zip === axis.zip ? j : -1)).filter((j) => j >= 0);
    const declared = group.flatMap((j) => (axes[j].target ? resolvedPaths(axes[j].target!) : []));
    // Partition by the values of every other axis; compare each cell with the first of its partition.
    const parts = new Map<string, number[]>();
    const inGroup = axes.map((_, j) => group.includes(j));
    cells.forEach((c, ci) => {
      let key = '';
      for (let j = 0; j < c.pos.length; j++) key += (j ? ',' : '') + (inGroup[j] ? '*' : c.pos[j]);
      const l = parts.get(key); if (l) l.push(ci); else parts.set(key, [ci]);
    });
    const scheduleDeclared = under('optim.schedule', declared) || declared.some((d) => under(d, ['optim.schedule']));
    for (const members of parts.values()) {
      // Equal step counts, different warm-ups: one warning per comparison, listing every cell's schedule.
      const memberSpecs = members.map((ci) => specs[ci]);
      const scheds = members.map(scheduleOf);
      const schedKey = `schedule|${group.join()}|${members.join()}`;
      if (!scheduleDeclared && !reported.has(schedKey) && scheds.every((x) => x) && memberSpecs.every((s) => s)) {
        reported.add(schedKey);
        const sc = scheds as { warmupSteps: number; totalSteps: number }[];
        const ss = memberSpecs as ResolvedSpec[];
        if (sc.every((x) => x.totalSteps === sc[0].totalSteps) && sc.some((x) => x.warmupSteps !== sc[0].warmupSteps)) {
          const names = members.map((ci) => cells[ci].name);
          const values = members.map((ci) => valueText(axis.decl.values[cells[ci].pos[ai]]));
          const setAt = members.map((ci) => provenance?.(cells[ci].name, 'optim.schedule')).find((sp) => sp);
          out.push(diag(M.confound, axis.decl.span,
            `cells ${names.join(', ')}, compared along axis '${axis.name}' (${values.join(' vs ')}), train for ${n(sc[0].totalSteps)} steps each but warm up for ${sc.map((x) => n(x.warmupSteps)).join(' / ')} steps (${ss.map(warmupText).join(' / ')})`, {
              related: setAt ? [{ span: setAt, message: 'the warm-up is set here' }] : [],
              hint: 'give the warm-up in steps (`optim.schedule = warmup_cosine(warmup = N steps)`) so the compared cells share one schedule, or make it an axis',
            }));
        }
      }
      const [first, ...rest] = members;
      for (const other of rest) {
        const a = cells[first]; const b = cells[other];
        const sa = specs[first]; const sb = specs[other];
        if (!sa || !sb) continue;
        // Built only for a diagnostic: most pairs have none.
        const compared = () => `cells ${a.name} and ${b.name}, compared along axis '${axis.name}' (${valueText(axis.decl.values[a.pos[ai]])} vs ${valueText(axis.decl.values[b.pos[ai]])})`;
        if (appliedKey[first] !== appliedKey[other]) {
          for (const c of diffSpecs(sa, sb)) {
            if (c.consequence === 'none' || c.path === 'init' || under(c.path, declared)) continue;
            // A probe only one cell runs cannot bias the comparison on the probes both run.
            if (c.path.startsWith('probes[') && c.op !== '~') continue;
            const key = `${ai}|${c.path}`;
            if (reported.has(key)) continue;
            reported.add(key);
            // The `when` entries (of either cell) that set this path: primary span and related.
            const setters: { span: Span; cell: string }[] = [];
            for (const [ci, cell] of [[first, a.name], [other, b.name]] as const) {
              for (const wi of applied[ci]) for (const f of whenData[wi].fields) if (under(c.path, resolvedPaths(f.path)) || resolvedPaths(f.path).some((r) => under(r, [c.path]))) setters.push({ span: f.field.span, cell });
            }
            // Where each cell got its value: a `when` entry, else (with provenance) wherever it was set.
            const where = (cell: string, value: unknown) => {
              const s = setters.find((x) => x.cell === cell);
              if (s) return { span: s.span, message: `${cell} gets ${showValue(value)} here` };
              for (const sp of sourcePathsOf(c.path)) {
                const span = provenance?.(cell, sp);
                if (span) return { span, message: `${cell} gets ${showValue(value)} from here` };
              }
              return undefined;
            };
            const places = [where(a.name, c.before), where(b.name, c.after)].filter((x): x is { span: Span; message: string } => !!x);
            const inGrid = places.find((x) => x.span.file === decl.span.file && x.span.start.offset >= decl.span.start.offset && x.span.end.offset <= decl.span.end.offset);
            const main = inGrid ?? places[0];
            const primary = main?.span ?? axis.decl.span;
            out.push(diag(M.confound, primary, `${compared()} also differ in \`${c.path}\`: ${showValue(c.before)} → ${showValue(c.after)}`, {
              related: [
                ...places.filter((x) => x !== main),
                { span: axis.decl.span, message: `axis '${axis.name}' sets only ${group.map((j) => axes[j].target ?? axes[j].name).join(', ')}` },
              ],
              hint: `make \`${c.path}\` an axis of its own, or set it for every cell; differences the axis should carry belong in its target`,
            }));
          }
        }
        // Equal epochs over different budgets: different numbers of optimisation steps.
        if ('epochs' in sa.optim.duration && 'epochs' in sb.optim.duration && sa.data.budget !== sb.data.budget && !reported.has(`${ai}|steps`)) {
          reported.add(`${ai}|steps`);
          out.push(diag(M.confound, axis.decl.span, `${compared()} train for ${sa.optim.duration.epochs} epochs over ${sa.data.budget ?? 'all'} vs ${sb.data.budget ?? 'all'} shots, i.e. for different numbers of steps`, {
            hint: 'give `optim.duration` in steps to compare at equal compute (the paper trains B.1–B.3 for the same number of steps)',
          }));
        }
      }
    }
  });
  return out;
}
