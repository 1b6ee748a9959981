// docs/language.md §8.3 — the modality setup must match the backbones and the loss weights.
import { M, diag } from '../messages.ts';
import type { Rule } from './context.ts';

export const modalityRule: Rule = {
  name: 'modality',
  section: '§8.3',
  check(ctx) {
    const { model, loss } = ctx.spec;
    if (model.video && model.video.modality !== 'video') {
      ctx.report(diag(M.backboneModality, ctx.at('model.video'), `\`model.video\` is '${model.video.name}', an ${model.video.modality} backbone`,
        { hint: 'pick a backbone declared with `modality = video`' }));
    }
    if (model.audio && model.audio.modality !== 'audio') {
      ctx.report(diag(M.backboneModality, ctx.at('model.audio'), `\`model.audio\` is '${model.audio.name}', a ${model.audio.modality} backbone`,
        { hint: 'pick a backbone declared with `modality = audio`' }));
    }
    if (model.modality === 'cross_modal' && !model.video) {
      ctx.report(diag(M.missingVideoBackbone, ctx.isSet('model.video') ? ctx.at('model.video') : ctx.at('model.modality'),
        'a cross-modal model needs a video backbone', { related: ctx.where('model.modality'), hint: 'set `model.video = …`, or `model.modality = audio_only`' }));
    }
    if (model.modality === 'audio_only') {
      if (model.video) {
        ctx.report(diag(M.unusedVideoBackbone, ctx.at('model.video'), `audio-only model ignores its video backbone '${model.video.name}'`,
          { related: [...ctx.where('model.modality'), ...ctx.where('model.video')], hint: 'write `model.video = none`' }));
      }
      if (loss.lambda_v > 0) {
        ctx.report(diag(M.withinModalNoView, ctx.at('loss.lambda_v'), `lambda_v = ${loss.lambda_v} weighs the within-modal video term, but an audio-only model has no video views`,
          { related: ctx.where('model.modality'), hint: 'set `loss.lambda_v = 0`' }));
      }
      if (!(loss.lambda_a > 0)) {
        ctx.report(diag(M.nothingToOptimise, ctx.isSet('loss.lambda_a') ? ctx.at('loss.lambda_a') : ctx.at('model.modality'),
          'an audio-only model is trained only by the within-modal audio term, but lambda_a = 0: the loss optimises nothing',
          { related: [...ctx.where('model.modality'), ...ctx.where('loss.lambda_a')], hint: 'set `loss.lambda_a = 1`' }));
      }
    }
  },
};
