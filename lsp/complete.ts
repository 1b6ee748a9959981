// Completion: field paths in context, enum and constructor values, languages, backbone and task
// names, units after a number, and declaration names after `extends` / `init from` / in `probes`.
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver';
import type { BlockDecl, Decl, DeclKind } from '../grammar/ast.ts';
import { OWN_KEYS, PROFILE_FIELDS } from '../compiler/profile.ts';
import { PROJECT_FIELDS } from '../compiler/bindings.ts';
import { childrenOf, fieldAt, sectionsOf, type DeclSchema, type FieldDef } from '../compiler/schema/fields.ts';
import { bool, lang, langSet, type ValueType } from '../compiler/schema/types.ts';
import { LANGUAGES, PAPER_LANGUAGES } from '../compiler/schema/languages.ts';
import { UNITS } from '../compiler/units.ts';
import type { Loaded } from '../compiler/resolve-load.ts';
import { completionContext } from './context.ts';
import { schemaOf } from './syntax.ts';
import { fieldMarkdown } from './hover.ts';

const DECL_KEYWORDS = ['experiment', 'preset', 'backbone', 'task', 'profile', 'project', 'grid', 'import'];
const STDLIB_MODULES = ['paper', 'controlled', 'cpu', 'backbones', 'tasks', 'profiles'];

export interface CompletionInput {
  text: string;
  offset: number;
  /** The program loaded from the document (its own declarations and everything it imports). */
  loaded: Loaded;
  /** Relative .lssd paths importable from the document's directory. */
  siblings: string[];
}

export function complete({ text, offset, loaded, siblings }: CompletionInput): CompletionItem[] {
  const cx = completionContext(text, offset);
  const declsOf = (kinds: DeclKind[]) => [...loaded.symbols.values()].filter((s) => kinds.includes(s.decl.declKind)).map((s) => s.decl);
  const named = (kinds: DeclKind[], itemKind: CompletionItemKind, exclude?: string) => declsOf(kinds)
    .filter((d) => d.name.name !== exclude)
    .map((d): CompletionItem => ({ label: d.name.name, kind: itemKind, detail: d.declKind, documentation: d.doc ? { kind: 'markdown', value: d.doc } : undefined }));

  switch (cx.kind) {
    case 'none': return [];
    case 'top': return DECL_KEYWORDS.map((k) => ({ label: k, kind: CompletionItemKind.Keyword }));
    case 'import': return [
      ...STDLIB_MODULES.map((m) => ({ label: m, kind: CompletionItemKind.Module, detail: 'stdlib module' })),
      ...siblings.map((p) => ({ label: p, kind: CompletionItemKind.File })),
    ];
    case 'extends': {
      const kinds: Record<DeclKind, DeclKind[]> = {
        experiment: ['experiment', 'preset'], grid: ['experiment', 'preset'], preset: ['preset', 'experiment'],
        task: ['task', 'preset'], backbone: ['backbone', 'preset'], profile: ['profile'], project: ['project'],
      };
      return named(kinds[cx.declKind], CompletionItemKind.Class, cx.declName);
    }
    case 'init': return [
      ...named(['experiment'], CompletionItemKind.Class, cx.declName),
      { label: 'random', kind: CompletionItemKind.Keyword, detail: 'random initialisation (the default)' },
    ];
    case 'key': {
      if (cx.declKind === 'profile' || cx.declKind === 'project') return profileKeys(cx.declKind, cx.section, cx.typed, declsOf);
      const decl = loaded.symbols.get(cx.declName)?.decl;
      const schemas: DeclSchema[] = cx.declKind === 'preset'
        ? (decl && decl.kind === 'BlockDecl' && decl.body.entries.length ? [schemaOf(decl)] : ['experiment', 'task'])
        : [cx.declKind === 'grid' ? 'experiment' : cx.declKind as DeclSchema];
      const typedParts = cx.typed.split('.');
      const parent = [cx.section, ...typedParts.slice(0, -1)].filter(Boolean).join('.');
      const items = new Map<string, CompletionItem>();
      for (const schema of schemas) {
        const sections = sectionsOf(schema);
        for (const child of childrenOf(schema, parent)) {
          const path = parent ? `${parent}.${child}` : child;
          const field = fieldAt(schema, path);
          const isSection = sections.has(path);
          items.set(child, {
            label: child,
            kind: isSection ? CompletionItemKind.Module : CompletionItemKind.Field,
            detail: isSection ? `section: ${childrenOf(schema, path).join(', ')}` : field?.type.describe,
            documentation: field && !isSection ? { kind: 'markdown', value: fieldMarkdown(field) } : undefined,
            insertText: isSection ? child : `${child} = `,
          });
        }
      }
      if (!parent && (cx.declKind === 'experiment' || cx.declKind === 'grid')) {
        items.set('init from', { label: 'init from', kind: CompletionItemKind.Keyword, detail: 'initialise from another experiment\'s final checkpoint', insertText: 'init from ' });
      }
      if (cx.inGrid && !parent) {
        for (const k of ['axis', 'zip', 'exclude', 'when', 'cell', 'base', 'name']) items.set(k, { label: k, kind: CompletionItemKind.Keyword });
      }
      return [...items.values()];
    }
    case 'unit': {
      const field = fieldFor(cx.declKind, cx.path, loaded, cx.declName);
      const units = field?.type.units?.length ? field.type.units : Object.keys(UNITS);
      const words = new Set(['shots', 'titles', 'clips', 'frames', 'bins', 'samples', 'epochs', 'epoch', 'steps', 'step', 'per_device']);
      return units.map((u, i) => ({
        label: u, kind: CompletionItemKind.Unit, sortText: String(i).padStart(3, '0'),
        detail: words.has(u) ? 'word unit (after a space)' : 'symbol unit (attached)',
      }));
    }
    case 'value': {
      if (cx.declKind === 'project' && cx.path === 'profile') return named(['profile'], CompletionItemKind.Class);
      if (cx.declKind === 'profile') {
        // `backbones { mvit_s = cpu_video_s }` maps paper names to this machine's; `backbones = keep` keeps them.
        const [head, ...rest] = cx.path.split('.');
        if ((head === 'backbones' || head === 'tasks') && !rest.length) return [{ label: 'keep', kind: CompletionItemKind.Keyword, detail: 'every name stands for itself' }];
        if (head === 'backbones') return named(['backbone'], CompletionItemKind.Module);
        if (head === 'tasks') return named(['task'], CompletionItemKind.Event);
      }
      const field = fieldFor(cx.declKind, cx.path, loaded, cx.declName);
      const path = field?.path ?? cx.path;
      if (path === 'model.video' || path === 'model.audio') {
        const modality = path === 'model.video' ? 'video' : 'audio';
        const items = declsOf(['backbone']).filter((d) => d.kind === 'BlockDecl' && (backboneModality(d) ?? modality) === modality)
          .map((d): CompletionItem => ({ label: d.name.name, kind: CompletionItemKind.Module, detail: `${modality} backbone`, documentation: d.doc }));
        if (path === 'model.video') items.push({ label: 'none', kind: CompletionItemKind.Keyword, detail: 'no video tower (audio-only)' });
        return items;
      }
      if (path === 'probes') return named(['task'], CompletionItemKind.Event);
      if (cx.inGrid && cx.path === 'base') return named(['experiment', 'preset'], CompletionItemKind.Class);
      if (cx.callee && ['fixed', 'random', 'round_robin'].includes(cx.callee)) return languages();
      if (cx.arg === 'languages' || (cx.callee === 'synthetic' && cx.inList)) return languages();
      if (!field) return [];
      if (path === 'dubs.primary') return [{ label: 'original', kind: CompletionItemKind.EnumMember, detail: 'the title\'s original language' }, ...languages()];
      if (isLanguageType(field.type)) {
        const extra = field.type === langSet && !cx.inList ? [{ label: 'all', kind: CompletionItemKind.EnumMember, detail: 'every language (U)' }] : [];
        return [...extra, ...languages()];
      }
      return optionItems(field.type);
    }
  }
}

function optionItems(t: ValueType): CompletionItem[] {
  const type = t.options ? t : t.item ?? t;
  const out: CompletionItem[] = [];
  for (const o of type.options ?? []) {
    if (o.bare) out.push({ label: o.name, kind: CompletionItemKind.EnumMember, detail: type.describe });
    if (o.call) out.push({ label: `${o.name}(…)`, kind: CompletionItemKind.Constructor, detail: type.describe, insertText: `${o.name}($1)`, insertTextFormat: InsertTextFormat.Snippet, filterText: o.name });
  }
  if (type === bool) out.push({ label: 'true', kind: CompletionItemKind.Value }, { label: 'false', kind: CompletionItemKind.Value });
  return out;
}

function isLanguageType(t: ValueType): boolean {
  return t === lang || t === langSet || t.item === lang;
}

function languages(): CompletionItem[] {
  const paper = new Set<string>(PAPER_LANGUAGES);
  return [...PAPER_LANGUAGES, ...[...LANGUAGES].filter((l) => !paper.has(l)).sort()].map((l, i) => ({
    label: l.toUpperCase(), kind: CompletionItemKind.EnumMember, sortText: `${paper.has(l) ? 'a' : 'b'}${String(i).padStart(3, '0')}`,
    detail: paper.has(l) ? 'one of the paper\'s seven languages' : 'ISO 639-1',
  }));
}

/** The field table entry for `path` in the declaration under the cursor. */
function fieldFor(declKind: DeclKind, path: string, loaded: Loaded, declName: string): FieldDef | undefined {
  const decl = loaded.symbols.get(declName)?.decl;
  const order: DeclSchema[] = declKind === 'preset' ? [decl && decl.kind === 'BlockDecl' ? schemaOf(decl) : 'experiment', 'experiment', 'task', 'backbone']
    : declKind === 'grid' || declKind === 'profile' ? ['experiment'] : declKind === 'project' ? [] : [declKind as DeclSchema];
  for (const s of order) { const f = fieldAt(s, path); if (f) return f; }
  return undefined;
}

/** Keys of a profile (its own, and the experiment fields it may scale) or of a project file. */
function profileKeys(kind: 'profile' | 'project', section: string, typed: string, declsOf: (k: DeclKind[]) => Decl[]): CompletionItem[] {
  if (kind === 'project') return section ? [] : PROJECT_FIELDS.map((k) => ({ label: k, kind: CompletionItemKind.Field, insertText: `${k} = ` }));
  const parent = [section, ...typed.split('.').slice(0, -1)].filter(Boolean).join('.');
  // Inside `backbones { … }` / `tasks { … }` the keys are the names being mapped.
  if (parent === 'backbones' || parent === 'tasks') {
    return declsOf([parent === 'backbones' ? 'backbone' : 'task']).map((d) => ({ label: d.name.name, kind: CompletionItemKind.Module, insertText: `${d.name.name} = ` }));
  }
  const items = new Map<string, CompletionItem>();
  if (!parent) for (const k of OWN_KEYS) items.set(k, { label: k, kind: CompletionItemKind.Property, detail: 'profile key' });
  for (const path of PROFILE_FIELDS) {
    if (parent && !path.startsWith(parent + '.')) continue;
    const rest = (parent ? path.slice(parent.length + 1) : path).split('.');
    const leaf = rest.length === 1;
    const field = leaf ? fieldAt('experiment', path) : undefined;
    items.set(rest[0], {
      label: rest[0], kind: leaf ? CompletionItemKind.Field : CompletionItemKind.Module, detail: field?.type.describe,
      documentation: field ? { kind: 'markdown', value: fieldMarkdown(field) } : undefined, insertText: leaf ? `${rest[0]} = ` : rest[0],
    });
  }
  return [...items.values()];
}

function backboneModality(d: BlockDecl): string | undefined {
  for (const e of d.body.entries) if (e.kind === 'Field' && e.key.parts.map((p) => p.name).join('.') === 'modality' && e.value.kind === 'IdentValue') return e.value.name;
  return undefined;
}
