// Hover: a field's type, unit, default, allowed range and doc (the field table); on a declaration
// name or a reference to one, what it is — for an experiment its resolved summary (backbones, data,
// dubs, λs, length, lineage), for a backbone or task its key fields.
import type { Decl, File, Span, Value } from '../grammar/ast.ts';
import type { Program } from '../compiler/index.ts';
import type { ResolvedSpec } from '../compiler/spec.ts';
import { childrenOf, fieldAt, sectionsOf, type FieldDef } from '../compiler/schema/fields.ts';
import { DIMENSION_INFO, unitInfo, unitsOf } from '../compiler/units.ts';
import type { Loaded } from '../compiler/resolve-load.ts';
import { entryAt, occurrenceAt, valueAt } from './syntax.ts';

export interface HoverResult { markdown: string; span: Span }

const CONSEQUENCE: Record<string, string> = {
  pretrain: 'changes the learned weights (pretrain hash)',
  probe: 'changes only probe results (probe hash)',
  none: 'changes no result',
};

export function fieldMarkdown(f: FieldDef): string {
  const lines = [`**\`${f.path}\`** — ${f.type.describe}`, '', f.doc, ''];
  if (f.required) lines.push('- required');
  else if (f.defaultText !== undefined) lines.push(`- default: \`${f.defaultText}\``);
  if (f.type.units?.length) lines.push(`- units: ${f.type.units.map((u) => `\`${u}\``).join(', ')}`);
  if (f.type.options?.length) lines.push(`- options: ${f.type.options.map((o) => `\`${o.call ? `${o.name}(…)` : o.name}\``).join(', ')}`);
  lines.push(`- ${CONSEQUENCE[f.consequence]}`);
  return lines.join('\n');
}

export function hover(file: File, offset: number, loaded: Loaded, program: Program | undefined): HoverResult | undefined {
  const occ = occurrenceAt(file, offset);
  if (occ) {
    const sym = loaded.symbols.get(occ.name);
    if (!sym) return { span: occ.span, markdown: `unknown name \`${occ.name}\`` };
    return { span: occ.span, markdown: declMarkdown(sym.decl, sym.file, program?.all.get(occ.name), program) };
  }
  const imp = file.imports.find((i) => i.path.span.start.offset <= offset && offset <= i.path.span.end.offset);
  if (imp) return { span: imp.path.span, markdown: `import \`${imp.path.value}\`` };
  const hit = entryAt(file, offset);
  if (!hit) return undefined;
  if (hit.part) {
    const field = fieldAt(hit.schema, hit.path);
    const isSection = sectionsOf(hit.schema).has(hit.path);
    if (field && !isSection) return { span: hit.part.span, markdown: fieldMarkdown(field) };
    if (isSection) return { span: hit.part.span, markdown: `**\`${hit.path}\`** — section of ${hit.schema} fields: ${childrenOf(hit.schema, hit.path).map((c) => `\`${c}\``).join(', ')}` };
    return undefined;
  }
  if (hit.value) {
    const v = valueAt(hit.value, offset);
    const field = fieldAt(hit.schema, hit.entryPath);
    if (v.kind === 'Quantity') {
      const u = unitInfo(v.unit);
      if (u) {
        const base = unitsOf(u.dim)[0];
        return { span: v.span, markdown: `\`${v.text}\` — ${DIMENSION_INFO[u.dim].name}${u.factor !== 1 ? ` (= ${Number((v.value * u.factor).toPrecision(12))} ${base})` : ''}${field ? `\n\n${fieldMarkdown(field)}` : ''}` };
      }
    }
    if (field) return { span: v.span, markdown: fieldMarkdown(field) };
  }
  return undefined;
}

export function declMarkdown(d: Decl, file: string, spec: ResolvedSpec | undefined, program: Program | undefined): string {
  const head = `**${d.declKind} ${d.name.name}**${d.extends.length ? ` extends ${d.extends.map((e) => e.name).join(', ')}` : ''} — \`${file}\``;
  const lines = [head];
  if (d.doc) lines.push('', d.doc);
  if (spec) lines.push('', ...experimentSummary(spec, program));
  else if (d.kind === 'BlockDecl' && (d.declKind === 'backbone' || d.declKind === 'task')) {
    const keys = d.declKind === 'backbone' ? ['modality', 'family', 'output_dim'] : ['suite', 'modality', 'source', 'metric'];
    const text = (v: Value): string => { switch (v.kind) { case 'IdentValue': return v.name; case 'Number': return v.text; case 'String': return JSON.stringify(v.value); case 'Call': return `${v.callee.name}(…)`; default: return '…'; } };
    const rows = d.body.entries.filter((e) => e.kind === 'Field' && keys.includes(e.key.parts.map((p) => p.name).join('.')))
      .map((e) => e.kind === 'Field' ? `- ${e.key.parts.map((p) => p.name).join('.')}: \`${text(e.value)}\`` : '');
    if (rows.length) lines.push('', ...rows);
  }
  return lines.join('\n');
}

/** The resolved experiment in a few lines. */
export function experimentSummary(s: ResolvedSpec, program: Program | undefined): string[] {
  const cat = s.data.catalog;
  const catalog = cat.kind === 'synthetic' ? `synthetic (${cat.titles} titles, ${cat.languages.map((l) => l.toUpperCase()).join(' ')})` : cat.kind === 'index' ? `index "${cat.path}"` : cat.kind === 'file' ? `file "${cat.path}"` : `external "${cat.name}"`;
  const ol = s.data.filters.original_language;
  const langs = ol.include === 'all' ? (ol.exclude.length ? `all except ${ol.exclude.map((l) => l.toUpperCase()).join(', ')}` : 'all') : ol.include.map((l) => l.toUpperCase()).join(', ');
  const dubs = s.data.filters.dubs;
  const dur = 'epochs' in s.optim.duration ? `${s.optim.duration.epochs} epochs` : `${s.optim.duration.steps} steps`;
  const lineage: string[] = [s.name];
  let cur: ResolvedSpec | undefined = s;
  while (cur && cur.init.kind === 'from' && lineage.length < 32) {
    lineage.push(cur.init.experiment);
    cur = program?.all.get(cur.init.experiment);
  }
  if (cur?.init.kind === 'random') lineage.push('random init');
  return [
    `- label: ${s.label}`,
    `- backbones: video \`${s.model.video?.name ?? 'none'}\`, audio \`${s.model.audio.name}\` (${s.model.modality}, heads → ${s.model.heads.dim})`,
    `- data: ${catalog}; original language ${langs}; dubs ${dubs.min}..${dubs.max ?? ''}; budget ${s.data.budget ?? 'all'} shots; batch ${s.data.batch.per_device} × ${s.data.batch.devices}`,
    `- dubs: ${s.dubs.policy}${s.dubs.languages.length ? `(${s.dubs.languages.map((l) => l.toUpperCase()).join(', ')})` : ''}, primary ${s.dubs.primary}`,
    `- loss: λv = ${s.loss.lambda_v}, λa = ${s.loss.lambda_a}, τ = ${s.loss.temperature}`,
    `- training: ${dur}, seed ${s.optim.seed}`,
    `- lineage: ${lineage.join(' ← ')}`,
    ...(s.origin.extends.length ? [`- extends: ${s.origin.extends.join(' → ')}`] : []),
    `- probes: ${s.probes.length ? s.probes.map((p) => p.task).join(', ') : 'none'}`,
  ];
}
