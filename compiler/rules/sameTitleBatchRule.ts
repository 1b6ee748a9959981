// docs/language.md §8.1 — same-title groups must be whole and fill the device batch exactly.
// `k per_device` is a group of 1 + k clips of one title (the positive and k same-title clips, B.3:
// 12 per_device of 26 = 2 groups of 13); a share `1/8` is a group of per_device / 8 clips (A: 8 of 64).
import { M, diag } from '../messages.ts';
import type { SameTitle } from '../schema/index.ts';
import type { Rule } from './context.ts';

/** Group sizes ≥ 2 that divide the device batch, nearest to `g` first (for hints). */
function fitting(per: number, g: number): number[] {
  const ds: number[] = [];
  for (let d = 2; d <= per; d++) if (per % d === 0) ds.push(d);
  return ds.sort((a, b) => Math.abs(a - g) - Math.abs(b - g) || a - b).slice(0, 2).sort((a, b) => a - b);
}

export const sameTitleBatchRule: Rule = {
  name: 'sameTitleBatch',
  section: '§8.1',
  check(ctx) {
    const st = ctx.exp.extras.get('data.batch.same_title') as SameTitle;
    const per = ctx.spec.data.batch.per_device;
    const g = ctx.spec.data.batch.same_title_per_device;
    const related = ctx.where('data.batch.per_device', `per_device = ${per} set here`);
    const at = ctx.at('data.batch.same_title');
    if ('share' in st) {
      const k = st.share * per;
      if (Math.abs(k - Math.round(k)) > 1e-9) {
        const fit = fitting(per, k);
        ctx.report(diag(M.sameTitleBatch, at,
          `same_title = ${st.text} of a device batch of ${per} is ${Number(k.toFixed(3))} shots, not a whole number`,
          { related, hint: `${fit.length ? `write ${fit.map((d) => `\`${d - 1} per_device\` (groups of ${d})`).join(' or ')}, ` : ''}or pick a per_device that ${st.text} divides` }));
        return;
      }
      if (k < 2 && st.share > 0) {
        ctx.report(diag(M.sameTitleBatch, at,
          `same_title = ${st.text} of a device batch of ${per} is ${k} shot: hard negatives need at least 2 shots of one title`,
          { related, hint: 'use `0 per_device` to disable same-title sampling, or a larger share', severity: 'warning' }));
        return;
      }
    } else if (g > per) {
      ctx.report(diag(M.sameTitleBatch, at,
        `same_title = ${st.count} per_device makes groups of ${g} clips (the positive and ${st.count} of the same title), larger than a device batch of ${per}`,
        { related, hint: `at most ${per - 1} per_device` }));
      return;
    }
    if (g > 1 && per % g !== 0) {
      const fit = fitting(per, g);
      const what = 'share' in st ? `same_title = ${st.text} makes groups of ${g} clips` : `same_title = ${st.count} per_device makes groups of ${g} clips (the positive and ${st.count} of the same title)`;
      ctx.report(diag(M.sameTitleBatch, at,
        `${what}, which do not fill a device batch of ${per} exactly (${Math.floor(per / g)} groups and ${per % g} clip${per % g === 1 ? '' : 's'} left over)`,
        { related, hint: fit.length ? `write ${fit.map((d) => `\`${d - 1} per_device\` (groups of ${d})`).join(' or ')}, or a per_device that is a multiple of ${g}` : `pick a per_device that is a multiple of ${g}` }));
    }
  },
};
