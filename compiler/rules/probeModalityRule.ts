// docs/language.md §8.4 — every probe needs an embedding the model produces.
import { M, diag } from '../messages.ts';
import type { Rule } from './context.ts';

export const probeModalityRule: Rule = {
  name: 'probeModality',
  section: '§8.4',
  check(ctx) {
    const { model, probes } = ctx.spec;
    const hasVideo = model.modality === 'cross_modal' && !!model.video;
    if (hasVideo) return;
    const list = ctx.exp.fields.get('probes')?.value;
    probes.forEach((p, i) => {
      if (p.modality === 'audio') return;
      const item = list?.kind === 'List' ? list.items[i]?.span : undefined;
      ctx.report(diag(M.probeModality, item ?? ctx.at('probes'),
        `${p.modality} probe '${p.task}' on an audio-only model: the model has no video embedding`,
        { related: ctx.where('model.modality', 'the model is audio-only here'), hint: 'drop the task from `probes`, or train a cross-modal model' }));
    });
  },
};
