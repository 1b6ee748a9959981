// Grids (docs/language.md §4.4): compiler/grid.ts (expandGrid) turns a GridDecl into cells, each a
// synthesized experiment BlockDecl; here each cell is resolved and checked like a written experiment.
import type { GridDecl } from '../grammar/ast.ts';
import type { Diagnostic } from './diagnostic.ts';
import { M, diag } from './messages.ts';
import type { Loaded } from './resolve-load.ts';
import type { Resolver, ResolvedExperiment } from './resolve.ts';
import type { GridInfo } from './index.ts';

export function expandGrids(decls: GridDecl[], file: string, loaded: Loaded, resolver: Resolver, diagnostics: Diagnostic[]):
  { grids: GridInfo[]; cells: Map<string, ResolvedExperiment> } {
  const grids: GridInfo[] = [];
  const cells = new Map<string, ResolvedExperiment>();
  for (const g of decls) {
    diagnostics.push(diag(M.gridUnavailable, g.name.span, `grid '${g.name.name}' cannot be expanded yet`));
    grids.push({ name: g.name.name, cells: [], span: g.span });
  }
  void file; void loaded; void resolver;
  return { grids, cells };
}
