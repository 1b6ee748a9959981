// docs/language.md §8.7 — the expected catalog statistics (Table 1) must agree with the filters and budget.
import { M, diag } from '../messages.ts';
import type { Rule } from './context.ts';

export const expectedStatsRule: Rule = {
  name: 'expectedStats',
  section: '§8.7',
  check(ctx) {
    const { filters, expected, budget } = ctx.spec.data;
    const avg = expected.avg_dubs;
    if (avg !== null) {
      const { min, max } = filters.dubs;
      if (avg < min || (max !== null && avg > max)) {
        ctx.report(diag(M.expectedStatsMismatch, ctx.at('data.expected.avg_dubs'),
          `expected ${avg} dubs per title on average, but the title filter admits only titles with ${max === null ? `at least ${min}` : min === max ? `exactly ${min}` : `${min} to ${max}`} dubs`,
          { related: ctx.where('data.titles.dubs', 'dub filter set here'), hint: 'a copied Table 1 row? check `data.titles.dubs` and `data.expected.avg_dubs`' }));
      }
    }
    if (expected.shots !== null && budget !== null && budget > expected.shots) {
      ctx.report(diag(M.expectedStatsMismatch, ctx.at('data.budget'),
        `budget of ${budget} shots exceeds the ${expected.shots} shots the filters are expected to admit: the sampler will reuse shots`,
        { related: ctx.where('data.expected.shots') }));
    }
  },
};
