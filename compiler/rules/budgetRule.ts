// docs/language.md §8.7 — training length must make sense for the data budget and schedule.
import { M, diag } from '../messages.ts';
import type { Rule } from './context.ts';

export const budgetRule: Rule = {
  name: 'budget',
  section: '§8.7',
  check(ctx) {
    const { data, optim } = ctx.spec;
    const global = data.batch.per_device * data.batch.devices;
    if (data.budget !== null && data.budget < global) {
      ctx.report(diag(M.budgetBelowBatch, ctx.at('data.budget'),
        `budget of ${data.budget} shots is smaller than one global batch (${data.batch.per_device} × ${data.batch.devices} = ${global})`,
        { related: [...ctx.where('data.batch.per_device'), ...ctx.where('data.batch.devices')] }));
    }
    if (optim.schedule.kind !== 'warmup_cosine') return;
    const w = optim.schedule.warmup; const d = optim.duration;
    const stepsPerEpoch = data.budget !== null ? data.budget / global : undefined;
    const toSteps = (x: { epochs: number } | { steps: number }) => ('steps' in x ? x.steps : stepsPerEpoch !== undefined ? x.epochs * stepsPerEpoch : undefined);
    const ws = 'epochs' in w && 'epochs' in d ? w.epochs : toSteps(w);
    const ds = 'epochs' in w && 'epochs' in d ? d.epochs : toSteps(d);
    if (ws !== undefined && ds !== undefined && ws > 0 && ws >= ds) {
      ctx.report(diag(M.warmupTooLong, ctx.at('optim.schedule'), 'the warm-up is as long as training: the learning rate never decays',
        { related: ctx.where('optim.duration', 'training length set here'), hint: 'shorten the warm-up or lengthen `optim.duration`' }));
    }
  },
};
