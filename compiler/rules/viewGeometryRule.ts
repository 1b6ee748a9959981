// docs/language.md §8.6 — augmentation geometry must be realisable.
import { M, diag } from '../messages.ts';
import type { Rule } from './context.ts';

export const viewGeometryRule: Rule = {
  name: 'viewGeometry',
  section: '§8.6',
  check(ctx) {
    const { video, audio } = ctx.spec.views;
    const hasVideo = ctx.spec.model.modality === 'cross_modal';
    if (hasVideo && video.crop > video.scale.min) {
      ctx.report(diag(M.cropExceedsScale, ctx.at('views.video.crop'),
        `crop ${video.crop}px is larger than the smallest scaled short side ${video.scale.min}px`,
        { related: ctx.where('views.video.scale'), hint: `crop at most ${video.scale.min}px, or raise the scale range` }));
    }
    const clip = video.frames / video.fps;
    const win = ctx.spec.data.windows.length;
    if (hasVideo && clip > win + 1e-9) {
      ctx.report(diag(M.clipExceedsWindow, ctx.at('views.video.frames'),
        `${video.frames} frames at ${video.fps}fps span ${Number(clip.toFixed(3))}s, longer than the ${win}s temporal window`,
        { related: [...ctx.where('views.video.fps'), ...ctx.where('data.windows.length')], hint: `at most ${Math.floor(win * video.fps)} frames at ${video.fps}fps` }));
    }
    const fftBins = Math.floor(audio.n_fft / 2) + 1;
    if (audio.mels > fftBins) {
      ctx.report(diag(M.melBins, ctx.at('views.audio.mels'), `${audio.mels} mel bins from an FFT of ${audio.n_fft} points (${fftBins} frequency bins): some mel filters would be empty`,
        { related: ctx.where('views.audio.n_fft'), hint: `use at most ${fftBins} mels or a larger n_fft` }));
    }
    if (audio.hop > audio.n_fft) {
      ctx.report(diag(M.hopExceedsFft, ctx.at('views.audio.hop'), `hop ${audio.hop} is longer than the FFT window ${audio.n_fft}: samples between windows are skipped`,
        { related: ctx.where('views.audio.n_fft') }));
    }
    if (ctx.spec.data.shots.min_length < win) {
      ctx.report(diag(M.clipExceedsWindow, ctx.at('data.shots.length'),
        `shots may be as short as ${ctx.spec.data.shots.min_length}s but each temporal window is ${win}s`,
        { related: ctx.where('data.windows.length'), hint: `raise the lower shot bound to at least ${win}s` }));
    }
  },
};
