// Which experiments a run touches and in what order: the selected ones plus every `init from` ancestor
// (a cell cannot start before its parent's final checkpoint exists), parents before children.
import type { ResolvedSpec } from '../../compiler/spec.ts';
import type { Diagnostic } from '../../compiler/diagnostic.ts';
import { RunMessages } from './messages.ts';

export interface LineageNode {
  spec: ResolvedSpec;
  /** Parent experiment's name when `init from` (always present earlier in the order). */
  parent: string | null;
  /** Named on the command line (or declared in the entry file when no --cell): --force applies to these. */
  selected: boolean;
}

export function lineageOrder(selected: ResolvedSpec[], all: Map<string, ResolvedSpec>): { nodes: LineageNode[]; diagnostics: Diagnostic[] } {
  const nodes: LineageNode[] = [];
  const placed = new Set<string>();
  const selectedNames = new Set(selected.map((s) => s.name));
  const diagnostics: Diagnostic[] = [];
  const visit = (spec: ResolvedSpec, stack: string[]) => {
    if (placed.has(spec.name)) return;
    if (stack.includes(spec.name)) {
      diagnostics.push(RunMessages.lineageCycle([...stack.slice(stack.indexOf(spec.name)), spec.name]));
      return;
    }
    let parent: string | null = null;
    if (spec.init.kind === 'from') {
      const p = all.get(spec.init.experiment) ?? selected.find((s) => s.name === (spec.init as { experiment: string }).experiment);
      // An unknown parent was already reported by the compiler; without it the cell cannot run.
      if (p) { visit(p, [...stack, spec.name]); parent = p.name; }
    }
    if (placed.has(spec.name)) return;
    placed.add(spec.name);
    nodes.push({ spec, parent, selected: selectedNames.has(spec.name) });
  };
  for (const s of selected) visit(s, []);
  return { nodes, diagnostics };
}
