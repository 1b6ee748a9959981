// docs/language.md §8.5 — `init from` loads the parent's final weights: architecture must match.
import { M, diag } from '../messages.ts';
import type { Rule } from './context.ts';

export const initCompatibleRule: Rule = {
  name: 'initCompatible',
  section: '§8.5',
  check(ctx) {
    const init = ctx.spec.init;
    if (init.kind !== 'from' || !ctx.exp.init) return;
    const parent = ctx.experiment(init.experiment);
    if (!parent || parent.broken) return;
    const span = ctx.exp.init.target.span;
    const p = parent.spec.model; const m = ctx.spec.model;
    const parentAt = [{ span: parent.decl.name.span, message: `'${parent.spec.name}' declared here` }];
    for (const tower of ['video', 'audio'] as const) {
      const a = m[tower]?.name ?? 'none'; const b = p[tower]?.name ?? 'none';
      if (a !== b && !(tower === 'video' && (m.modality === 'audio_only' || p.modality === 'audio_only'))) {
        ctx.report(diag(M.initBackboneMismatch, span,
          `cannot init from '${parent.spec.name}': its ${tower} backbone is '${b}', this experiment's is '${a}'`,
          { related: [...ctx.where(`model.${tower}`), ...parentAt], hint: `use the same \`model.${tower}\` as '${parent.spec.name}', or train from \`random\`` }));
      } else if (m[tower] && p[tower] && m[tower]!.output_dim !== p[tower]!.output_dim) {
        ctx.report(diag(M.initDimMismatch, span, `cannot init from '${parent.spec.name}': ${tower} backbone width ${p[tower]!.output_dim} ≠ ${m[tower]!.output_dim}`, { related: parentAt }));
      }
    }
    // Token-based towers (patch embeddings, position tables) only accept the input size they were
    // trained on; convolutional towers adapt, so a change there is a warning.
    const geometry = (spec: typeof ctx.spec) => ({
      video: `${spec.views.video.frames} frames × ${spec.views.video.crop}px`,
      audio: `${Math.floor(spec.data.windows.length * spec.views.audio.sample_rate / spec.views.audio.hop) + 1} frames × ${spec.views.audio.mels} mels`,
    });
    const gm = geometry(ctx.spec); const gp = geometry(parent.spec);
    for (const tower of ['video', 'audio'] as const) {
      const b = m[tower];
      if (!b || !p[tower] || gm[tower] === gp[tower]) continue;
      const tokens = b.family === 'mvit' || b.family === 'patch_transformer' || b.family === 'patch_mlp';
      ctx.report(diag(M.initInputMismatch, span,
        `'${parent.spec.name}' trained its ${tower} tower on ${gp[tower]}, this experiment feeds ${gm[tower]}` +
        (tokens ? `: the ${b.family} backbone's token grid and position tables would not fit` : ''),
        { related: parentAt, severity: tokens ? 'error' : 'warning',
          hint: tower === 'video' ? 'keep `views.video.frames` and `crop` of the parent' : 'keep the parent\'s `views.audio` (sample_rate, hop, mels) and `data.windows.length`' }));
    }
    if (m.heads.dim !== p.heads.dim || m.heads.hidden.join(',') !== p.heads.hidden.join(',')) {
      ctx.report(diag(M.initDimMismatch, span,
        `cannot init from '${parent.spec.name}': its projection heads are [${[...p.heads.hidden, p.heads.dim].join(' → ')}], this experiment's are [${[...m.heads.hidden, m.heads.dim].join(' → ')}]`,
        { related: [...ctx.where('model.heads.dim'), ...ctx.where('model.heads.hidden'), ...parentAt], hint: 'keep the embedding size of the experiment you initialise from' }));
    }
    if (m.heads.share_audio !== p.heads.share_audio) {
      ctx.report(diag(M.initModalityMismatch, span,
        `cannot init from '${parent.spec.name}': it ${p.heads.share_audio ? 'shares' : 'does not share'} the audio projection head between primary and secondary audio, this experiment ${m.heads.share_audio ? 'does' : 'does not'}`,
        { related: [...ctx.where('model.heads.share_audio'), ...parentAt] }));
    }
    if (m.modality === 'cross_modal' && p.modality === 'audio_only') {
      ctx.report(diag(M.initModalityMismatch, span, `cannot init a cross-modal model from the audio-only '${parent.spec.name}': it has no trained video tower`,
        { related: [...ctx.where('model.modality'), ...parentAt] }));
    }
  },
};
