// docs/language.md §8.1 — the same-title share must be a whole number of shots that fits the device batch.
import { M, diag } from '../messages.ts';
import type { SameTitle } from '../schema/index.ts';
import type { Rule } from './context.ts';

export const sameTitleBatchRule: Rule = {
  name: 'sameTitleBatch',
  section: '§8.1',
  check(ctx) {
    const st = ctx.exp.extras.get('data.batch.same_title') as SameTitle;
    const per = ctx.spec.data.batch.per_device;
    const related = ctx.where('data.batch.per_device', `per_device = ${per} set here`);
    if ('share' in st) {
      const k = st.share * per;
      if (Math.abs(k - Math.round(k)) > 1e-9) {
        const lo = Math.floor(k); const hi = Math.ceil(k);
        ctx.report(diag(M.sameTitleBatch, ctx.at('data.batch.same_title'),
          `same_title = ${st.text} of a device batch of ${per} is ${Number(k.toFixed(3))} shots, not a whole number`,
          { related, hint: `write \`${lo || 1} per_device\` or \`${hi} per_device\`, or pick a per_device that ${st.text} divides` }));
        return;
      }
      if (k < 2 && st.share > 0) {
        ctx.report(diag(M.sameTitleBatch, ctx.at('data.batch.same_title'),
          `same_title = ${st.text} of a device batch of ${per} is ${k} shot: hard negatives need at least 2 shots of one title`,
          { related, hint: 'use `0 per_device` to disable same-title sampling, or a larger share', severity: 'warning' }));
      }
    } else if (st.count > per) {
      ctx.report(diag(M.sameTitleBatch, ctx.at('data.batch.same_title'),
        `same_title = ${st.count} per_device does not fit a device batch of ${per}`,
        { related, hint: `at most ${per} per_device` }));
    } else if (st.count === 1) {
      ctx.report(diag(M.sameTitleBatch, ctx.at('data.batch.same_title'),
        'same_title = 1 per_device draws one shot per title: there are no same-title hard negatives',
        { related, hint: 'use at least `2 per_device`, or `0 per_device` to disable', severity: 'warning' }));
    }
  },
};
