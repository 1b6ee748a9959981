// docs/language.md §8.2 — dub augmentation needs titles with dubs (and speech to differ in).
import { M, diag } from '../messages.ts';
import type { Rule } from './context.ts';

export const dubsNoEffectRule: Rule = {
  name: 'dubsNoEffect',
  section: '§8.2',
  check(ctx) {
    const { dubs, data, views } = ctx.spec;
    if (dubs.policy === 'off') return;
    const tracks = ctx.exp.extras.get('data.titles.audio_tracks') as { min: number } | undefined;
    const filterPath = tracks && tracks.min - 1 === data.filters.dubs.min ? 'data.titles.audio_tracks' : 'data.titles.dubs';
    if (data.filters.dubs.max === 0) {
      ctx.report(diag(M.dubsNoEffect, ctx.at('dubs.policy'),
        `dub augmentation (policy ${dubs.policy}) has no effect: the title filter admits only titles without dubs`,
        { related: ctx.where(filterPath, 'titles limited to 0 dubs here'), hint: 'admit titles with dubs (`data.titles.dubs = 1 ..`) or set `dubs.policy = off`' }));
    }
    if (data.catalog?.kind === 'synthetic') {
      const avail = new Set(data.catalog.languages);
      if (avail.size < 2) {
        ctx.report(diag(M.dubsNoEffect, ctx.at('dubs.policy'),
          `dub augmentation (policy ${dubs.policy}) has no effect: the synthetic catalog has a single language`,
          { related: ctx.where('data.catalog'), hint: 'give the catalog several `languages`' }));
      }
      for (const l of dubs.languages) {
        if (!avail.has(l)) {
          ctx.report(diag(M.dubLanguageNotInCatalog, ctx.at('dubs.policy'),
            `dub language ${l.toUpperCase()} is not among the synthetic catalog's languages (${[...avail].map((x) => x.toUpperCase()).join(', ')})`,
            { related: ctx.where('data.catalog'), hint: 'samples without that dub fall back to a second augmentation of the primary track' }));
        }
      }
    }
    if (views.audio.source === 'speech_removed') {
      ctx.report(diag(M.dubsSpeechRemoved, ctx.at('dubs.policy'),
        `dub augmentation on speech-removed audio: dubs differ only in speech, which \`views.audio.source = speech_removed\` removes`,
        { related: ctx.where('views.audio.source'), hint: 'the SEP baseline uses `dubs.policy = off`' }));
    }
  },
};
