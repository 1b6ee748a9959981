// docs/language.md §8.6 — the audio view's channels must be what the audio backbone takes. Batches carry
// a channel axis ([B, frames, mels, channels]); `pseudo_stereo` duplicates mono to 2 channels (B.3: "we
// duplicate mono audio to the second channel … to match our model's architecture"). A backbone that
// declares its input channels (the acoustic ResNet's `in_channels`) must take exactly that many; patch
// and MViT towers embed whatever channels the view gives.
import { M, diag } from '../messages.ts';
import { ConfigError, resolveConfig } from '../params.ts';
import type { BackboneSpec, ViewsSpec } from '../spec.ts';
import type { Rule } from './context.ts';

/** Input channels of the audio view: 1 (mono) or 2 (pseudo-stereo). */
export const audioChannels = (channels: ViewsSpec['audio']['channels']): number => (channels === 'pseudo_stereo' ? 2 : 1);

/** Input channels a backbone declares it takes, or null when it adapts to the view (patch, MViT). */
export function backboneChannels(b: BackboneSpec): number | null {
  if (b.family !== 'resnet') return null;
  try { return Number(resolveConfig(b).in_channels); } catch (e) { if (e instanceof ConfigError) return null; throw e; }
}

export const audioChannelsRule: Rule = {
  name: 'audioChannels',
  section: '§8.6',
  check(ctx) {
    const a = ctx.spec.views.audio;
    const b = ctx.spec.model.audio;
    const want = backboneChannels(b);
    const have = audioChannels(a.channels);
    if (want === null || want === have) return;
    const other = want === 2 ? 'pseudo_stereo' : want === 1 ? 'mono' : null;
    ctx.report(diag(M.audioChannelsMismatch, ctx.at('views.audio.channels'),
      `views.audio.channels = ${a.channels} gives ${have} input channel${have === 1 ? '' : 's'}, but audio backbone '${b.name}' takes in_channels = ${want}`,
      { related: ctx.where('model.audio', `model.audio = ${b.name} set here`),
        hint: other ? `write \`views.audio.channels = ${other}\`, or use a backbone with in_channels = ${have}` : `use a backbone with in_channels = ${have}` }));
  },
};
