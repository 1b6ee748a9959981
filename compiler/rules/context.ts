// What a check rule sees: one resolved experiment, where each of its fields was set, and a way to
// reach the experiments it is initialised from.
import type { Span } from '../../grammar/ast.ts';
import type { Diagnostic, Related } from '../diagnostic.ts';
import type { ResolvedSpec } from '../spec.ts';
import type { ResolvedExperiment } from '../resolve.ts';

export interface RuleContext {
  exp: ResolvedExperiment;
  spec: ResolvedSpec;
  /** Span of the value that set a surface path (`loss.lambda_v`), or the experiment's name when it is a default. */
  at(path: string): Span;
  /** True when some declaration in the chain set the path. */
  isSet(path: string): boolean;
  /** "set here" related locations for paths that were set (defaults are skipped). */
  where(path: string, message?: string): Related[];
  /** The resolved experiment a name refers to (for `init from`), if it resolved. */
  experiment(name: string): ResolvedExperiment | undefined;
  report(d: Diagnostic): void;
}

export interface Rule {
  name: string;
  /** The docs/language.md section the rule enforces. */
  section: string;
  check(ctx: RuleContext): void;
}

export function makeContext(exp: ResolvedExperiment, lookup: (name: string) => ResolvedExperiment | undefined,
  report: (d: Diagnostic) => void): RuleContext {
  // Point at the user's own file: a value inherited from another file (a stdlib preset) is reported
  // at the experiment's name, with the inherited location as a related note.
  const at = (path: string) => {
    const a = exp.fields.get(path);
    return a && a.value.span.file === exp.decl.name.span.file ? a.value.span : exp.decl.name.span;
  };
  return {
    exp, spec: exp.spec, at, report, experiment: lookup,
    isSet: (path) => exp.fields.has(path),
    where: (path, message) => {
      const a = exp.fields.get(path);
      if (!a) return [];
      const inherited = a.decl !== exp.decl ? ` (in ${a.decl.declKind} ${a.decl.name.name})` : '';
      return [{ span: a.value.span, message: (message ?? `\`${path}\` set here`) + inherited }];
    },
  };
}

/** "(from preset paper_main)" when a field came from a parent declaration, for messages. */
export function origin(ctx: RuleContext, path: string): string {
  const a = ctx.exp.fields.get(path);
  if (!a) return ' (default)';
  return a.decl === ctx.exp.decl ? '' : ` (from ${a.decl.declKind} ${a.decl.name.name})`;
}
