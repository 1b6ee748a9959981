// Syntax diagnostic codes (LSSD1xxx). The grammar imports nothing of the compiler, so its codes live
// here; compiler/messages.ts re-exports them into the one catalog.
import type { Span } from './ast.ts';

export const SYNTAX = {
  unexpectedChar: 'LSSD1001',
  unterminatedString: 'LSSD1002',
  unexpectedToken: 'LSSD1003',
  unexpectedEof: 'LSSD1004',
  unclosedBlock: 'LSSD1005',
  badNumber: 'LSSD1006',
  expectedDecl: 'LSSD1007',
  expectedEntry: 'LSSD1008',
  expectedValue: 'LSSD1009',
  badRange: 'LSSD1010',
  positionalAfterNamed: 'LSSD1011',
  badEscape: 'LSSD1020',
  invalidUtf8: 'LSSD1021',
  notText: 'LSSD1022',
  tooManyErrors: 'LSSD1023',
} as const;

/** Structurally identical to compiler/diagnostic.ts `Diagnostic`. */
export interface SyntaxDiagnostic {
  code: string;
  severity: 'error';
  message: string;
  span: Span;
  related: { span: Span; message: string }[];
  hint?: string;
}
