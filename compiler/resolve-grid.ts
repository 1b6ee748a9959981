// Grids (docs/language.md §4.4): compiler/grid.ts (`expandGrid`) turns each GridDecl into cells, each a
// synthesized `experiment` BlockDecl. Here the cells join the program's symbol table, so they are
// resolved and checked exactly like written experiments and can be named by `init from`.
import type { GridDecl } from '../grammar/ast.ts';
import type { Diagnostic } from './diagnostic.ts';
import { expandGrid } from './grid.ts';
import { M, diag } from './messages.ts';
import type { Loaded } from './resolve-load.ts';

export interface ExpandedGrid {
  decl: GridDecl;
  file: string;
  cells: { name: string; axes: Record<string, unknown> }[];
}

/** Expands every grid of the program (all files: cells of one grid may seed another's) into symbols. */
export function expandGrids(loaded: Loaded, diagnostics: Diagnostic[]): ExpandedGrid[] {
  const grids: ExpandedGrid[] = [];
  const gridDecls = new Map<string, GridDecl>();
  for (const s of loaded.symbols.values()) if (s.decl.kind === 'GridDecl') gridDecls.set(s.decl.name.name, s.decl);
  for (const [file, f] of loaded.files) {
    for (const d of f.decls) {
      if (d.kind !== 'GridDecl' || loaded.symbols.get(d.name.name)?.decl !== d) continue;
      const r = expandGrid(d, { lookupGrid: (n) => gridDecls.get(n) });
      for (const d of r.diagnostics) diagnostics.push(d);
      const cells: ExpandedGrid['cells'] = [];
      for (const c of r.value?.cells ?? []) {
        const prev = loaded.symbols.get(c.name);
        if (prev) {
          diagnostics.push(diag(M.duplicateDecl, d.name.span, `grid '${d.name.name}' generates a cell named '${c.name}', which is already declared`, {
            related: [{ span: prev.decl.name.span, message: 'declared here' }], hint: 'change the grid\'s `name` pattern',
          }));
          continue;
        }
        loaded.symbols.set(c.name, { decl: c.decl, file });
        cells.push({ name: c.name, axes: c.axes });
      }
      grids.push({ decl: d, file, cells });
    }
  }
  return grids;
}
