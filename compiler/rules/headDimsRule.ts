// docs/language.md §8.3 — video and audio embeddings meet in one dot product: their dims must match.
import { M, diag } from '../messages.ts';
import type { Rule } from './context.ts';

export const headDimsRule: Rule = {
  name: 'headDims',
  section: '§8.3',
  check(ctx) {
    const vd = ctx.exp.extras.get('model.heads.video_dim') as number | undefined;
    const ad = ctx.exp.extras.get('model.heads.audio_dim') as number | undefined;
    const dimSet = ctx.isSet('model.heads.dim');
    if (vd !== undefined && ad !== undefined && vd !== ad) {
      ctx.report(diag(M.headDimMismatch, ctx.at('model.heads.audio_dim'),
        `projection dims differ: video heads output ${vd}, audio heads output ${ad}; the cross-modal loss compares them by dot product`,
        { related: ctx.where('model.heads.video_dim', `video_dim = ${vd} set here`), hint: 'use one `model.heads.dim` for both' }));
      return;
    }
    for (const [path, d] of [['model.heads.video_dim', vd], ['model.heads.audio_dim', ad]] as const) {
      const dim = ctx.exp.fields.get('model.heads.dim');
      if (d !== undefined && dimSet && dim && dim.value.kind === 'Number' && dim.value.value !== d) {
        ctx.report(diag(M.headDimMismatch, ctx.at(path), `\`${path}\` = ${d} disagrees with \`model.heads.dim\` = ${dim.value.value}`,
          { related: ctx.where('model.heads.dim'), hint: 'set only `model.heads.dim`' }));
      }
    }
  },
};
