// One diagnostic shape for every stage (grammar, compiler, runtime). Codes are stable and catalogued in
// compiler/messages.ts (LSSD1xxx syntax, 2xxx names/types/units, 3xxx schema, 4xxx lowering,
// 5xxx runtime/data, 6xxx diff/grid). Rendering (source line + carets) lives in compiler/render.ts.
import type { Span } from '../grammar/ast.ts';

export type Severity = 'error' | 'warning' | 'info';

export interface Related {
  span: Span;
  message: string;
}

export interface Diagnostic {
  code: string; // 'LSSD2004'
  severity: Severity;
  message: string;
  span?: Span; // absent only for diagnostics with no source location (e.g. a missing file argument)
  related: Related[];
  hint?: string;
}

/** Every stage returns a partial value plus diagnostics (Gleam's Outcome). */
export interface Outcome<T> {
  value?: T;
  diagnostics: Diagnostic[];
}

export const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === 'error');
