// Whether chevrotain's self-checks of this grammar (ambiguities, left recursion, token patterns) have
// already passed. Run from the sources: no, so the lexer and parser check themselves when built (about
// half their construction time). The build (scripts/build-plugins.mjs) runs those checks once and
// then replaces this module with `true`, so the compiled CLI skips them at every start.
export const GRAMMAR_VALIDATED: boolean = false;
