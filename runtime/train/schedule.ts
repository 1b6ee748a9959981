// Learning-rate schedule as a pure function of the step (0-based index of the optimizer step about to
// run): linear warmup to the peak over warmupSteps (step 0 already gets peak/warmupSteps, never 0), then
// a half-cosine from peak to min reaching min at totalSteps (appendix A: "half-cosine annealing which
// kicks off after 2 warm-up epochs"). 'constant' keeps the peak after warmup.
import type { SchedulePlan } from '../../compiler/plan.ts';

export function lrAt(s: SchedulePlan, step: number): number {
  if (s.warmupSteps > 0 && step < s.warmupSteps) return (s.peak * (step + 1)) / s.warmupSteps;
  if (s.kind === 'constant') return s.peak;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = Math.min(1, Math.max(0, (step - s.warmupSteps) / span));
  return s.min + (s.peak - s.min) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
