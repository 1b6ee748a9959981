// The field table and everything derived from it. See fields.ts.
export { FIELDS, EXPERIMENT_FIELDS, BACKBONE_FIELDS, TASK_FIELDS, fieldAt, sectionsOf, childrenOf } from './fields.ts';
export type { FieldDef, Consequence, DeclSchema, SameTitle } from './fields.ts';
export { consequenceOf } from './consequence.ts';
export { LANGUAGES, PAPER_LANGUAGES, isLanguage } from './languages.ts';
