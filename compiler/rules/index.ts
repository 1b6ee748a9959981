// The check rules, in the order they run (docs/language.md §8). Each rule is one file exporting a
// visitor over a resolved experiment; add new ones here.
import type { Rule } from './context.ts';
import { sameTitleBatchRule } from './sameTitleBatchRule.ts';
import { dubsNoEffectRule } from './dubsNoEffectRule.ts';
import { dubLanguageRule } from './dubLanguageRule.ts';
import { modalityRule } from './modalityRule.ts';
import { headDimsRule } from './headDimsRule.ts';
import { probeModalityRule } from './probeModalityRule.ts';
import { probeAvailabilityRule } from './probeAvailabilityRule.ts';
import { initCompatibleRule } from './initCompatibleRule.ts';
import { viewGeometryRule } from './viewGeometryRule.ts';
import { audioChannelsRule } from './audioChannelsRule.ts';
import { budgetRule } from './budgetRule.ts';
import { expectedStatsRule } from './expectedStatsRule.ts';

export const RULES: readonly Rule[] = [
  sameTitleBatchRule, // §8.1
  dubsNoEffectRule, // §8.2
  dubLanguageRule, // §8.2
  modalityRule, // §8.3
  headDimsRule, // §8.3
  probeModalityRule, // §8.4
  probeAvailabilityRule, // §8.4
  initCompatibleRule, // §8.5
  viewGeometryRule, // §8.6
  audioChannelsRule, // §8.6
  budgetRule, // §8.7
  expectedStatsRule, // §8.7
];

export type { Rule, RuleContext } from './context.ts';
export { makeContext } from './context.ts';
