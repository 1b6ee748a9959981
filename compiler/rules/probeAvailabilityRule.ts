// docs/language.md §8.4 — a runnable experiment (synthetic or indexed catalog) should not list probe
// tasks whose data exists only at paper scale: `run` would train, then refuse to probe them.
import { M, diag } from '../messages.ts';
import type { Rule } from './context.ts';

export const probeAvailabilityRule: Rule = {
  name: 'probeAvailability',
  section: '§8.4',
  check(ctx) {
    const { data, probes } = ctx.spec;
    if (!data.catalog || data.catalog.kind === 'external') return;
    const list = ctx.exp.fields.get('probes')?.value;
    const local = list && list.span.file === ctx.exp.decl.name.span.file;
    probes.forEach((p, i) => {
      if (p.source.kind !== 'external') return;
      const item = local && list?.kind === 'List' ? list.items[i]?.span : undefined;
      ctx.report(diag(M.probeUnavailable, item ?? ctx.at('probes'),
        `probe '${p.task}' needs the external dataset "${p.source.name}", but this experiment trains on a ${data.catalog.kind} catalog`,
        { related: ctx.where('data.catalog'), hint: 'use tasks with `synthetic(…)` or `dir(…)` sources (e.g. synth_scene, spoken_digit), or declare a task over a local HEAR-format copy' }));
    });
  },
};
