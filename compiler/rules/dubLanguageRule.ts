// docs/language.md §8.2 — the secondary language should differ from the primary one.
import { M, diag } from '../messages.ts';
import type { Rule } from './context.ts';

export const dubLanguageRule: Rule = {
  name: 'dubLanguage',
  section: '§8.2',
  check(ctx) {
    const { dubs, data } = ctx.spec;
    if (dubs.primary !== 'original' && dubs.languages.includes(dubs.primary)) {
      ctx.report(diag(M.dubLanguageIsPrimary, ctx.at('dubs.policy'),
        `secondary language ${dubs.primary.toUpperCase()} is also the primary language: those samples are monolingual`,
        { related: ctx.where('dubs.primary'), hint: dubs.policy === 'fixed' ? 'for a monolingual baseline write `dubs.policy = off`' : `drop ${dubs.primary.toUpperCase()} from the list` }));
    }
    const ol = data.filters.original_language;
    if (dubs.primary === 'original' && dubs.policy === 'fixed' && ol.include !== 'all' && ol.include.length === 1 && ol.include[0] === dubs.languages[0]) {
      ctx.report(diag(M.dubLanguageIsPrimary, ctx.at('dubs.policy'),
        `every admitted title is originally in ${ol.include[0].toUpperCase()}, so the fixed secondary language ${ol.include[0].toUpperCase()} is the primary track again`,
        { related: ctx.where('data.titles.original_language'), hint: 'pick a dub language other than the originals, or `dubs.policy = off`' }));
    }
    if (dubs.primary !== 'original' && ol.include !== 'all' && ol.include.length === 1 && ol.include[0] !== dubs.primary) {
      ctx.report(diag(M.primaryFilterMismatch, ctx.at('dubs.primary'),
        `primary language ${dubs.primary.toUpperCase()} is not the original language of any admitted title (${ol.include[0].toUpperCase()}): every primary track will be a dub`,
        { related: ctx.where('data.titles.original_language') }));
    }
  },
};
