// Where the cursor is, for completion: a text scan (not the AST), because the file being typed is
// usually incomplete — `data.ba` or `policy = ` do not parse. It tracks braces, brackets, parentheses,
// strings and comments from the start of the file to the cursor and reads the statement under way.
import type { DeclKind } from '../grammar/ast.ts';

export type CompletionContext =
  | { kind: 'top'; typed: string }
  | { kind: 'import'; typed: string }
  | { kind: 'extends'; declKind: DeclKind; declName: string; typed: string }
  | { kind: 'init'; declName: string; typed: string }
  /** A key: `section` is the enclosing section path (`data.titles`), `typed` what is written of the key (`dubs`, `batch.per`). */
  | { kind: 'key'; declKind: DeclKind; declName: string; section: string; typed: string; inGrid: boolean }
  /** A value of the field at `path`; `callee`: inside `callee(…)`; `arg`: after `arg =` in the call; `inList`: inside `[…]`. */
  | { kind: 'value'; declKind: DeclKind; declName: string; path: string; typed: string; callee?: string; arg?: string; inList: boolean; inGrid: boolean }
  /** A unit after a number in the value of the field at `path`. */
  | { kind: 'unit'; declKind: DeclKind; declName: string; path: string; typed: string; inGrid: boolean }
  | { kind: 'none' };

interface Frame {
  open: '{' | '(' | '[';
  /** Offset just after the opening character. */
  start: number;
  /** Start of the statement under way inside this frame (braces only). */
  stmt: number;
  head: string;
  role?: 'decl' | 'section' | 'match' | 'when' | 'cell';
  declKind?: DeclKind;
  declName?: string;
  key?: string;
}

const DECL = /(?:^|[\s}])(experiment|preset|backbone|task|profile|project|grid)\s+([A-Za-z_]\w*)(?:\s+extends\s+[\w\s,]*)?\s*$/;

export function completionContext(text: string, offset: number): CompletionContext {
  const stack: Frame[] = [];
  let topStmt = 0;
  let lastClosed: Frame | undefined;
  let i = 0;
  let inString = -1;
  const braceTop = () => { for (let k = stack.length - 1; k >= 0; k--) if (stack[k].open === '{') return k; return -1; };
  const bump = (at: number) => {
    // A newline (or `;`) ends a statement unless a bracket or parenthesis is open above the brace.
    const k = braceTop();
    if (k === stack.length - 1) { if (k >= 0) stack[k].stmt = at; else topStmt = at; }
    else if (k < 0 && stack.length === 0) topStmt = at;
  };
  while (i < offset) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') { if (text[j] === '\\') j++; j++; }
      if (j >= offset) { inString = i; break; }
      i = j + 1; continue;
    }
    if ((c === '/' && text[i + 1] === '/') || c === '#') {
      const nl = text.indexOf('\n', i);
      if (nl < 0 || nl >= offset) return { kind: 'none' };
      i = nl; continue;
    }
    if (c === '\n' || c === ';') { bump(i + 1); i++; continue; }
    if (c === '{' || c === '(' || c === '[') {
      const k = braceTop();
      const from = k >= 0 ? stack[k].stmt : topStmt;
      const head = text.slice(Math.max(from, stack.length ? stack[stack.length - 1].start : 0), i);
      const f: Frame = { open: c, start: i + 1, stmt: i + 1, head };
      if (c === '{') {
        const m = DECL.exec(head);
        const key = /([A-Za-z_][\w.]*)\s*$/.exec(head)?.[1];
        if (m && k < 0) { f.role = 'decl'; f.declKind = m[1] as DeclKind; f.declName = m[2]; }
        else if (/^\s*$/.test(head) && lastClosed?.role === 'match' && lastClosed.key === 'when') f.role = 'when';
        else if (key === 'when' || key === 'exclude') { f.role = 'match'; f.key = key; }
        else if (key === 'cell') f.role = 'cell';
        else { f.role = 'section'; f.key = key; }
      } else {
        f.key = /([A-Za-z_]\w*)\s*$/.exec(head)?.[1];
      }
      stack.push(f); i++; continue;
    }
    if (c === '}' || c === ')' || c === ']') {
      const f = stack.pop();
      if (f) lastClosed = f;
      if (c === '}') bump(i + 1);
      i++; continue;
    }
    if (!/\s/.test(c)) lastClosed = undefined;
    i++;
  }

  if (inString >= 0) {
    const before = text.slice(braceTop() >= 0 ? stack[braceTop()].stmt : topStmt, inString);
    if (/^\s*import\s*$/.test(before) && braceTop() < 0) return { kind: 'import', typed: text.slice(inString + 1, offset) };
    return { kind: 'none' };
  }

  const typedIdent = /[A-Za-z_][\w]*$/.exec(text.slice(0, offset))?.[0] ?? '';
  const k = braceTop();
  if (k < 0) {
    const st = text.slice(topStmt, offset);
    const m = /(?:^|\s)(experiment|preset|backbone|task|profile|project|grid)\s+([A-Za-z_]\w*)\s+extends\s+(?:[\w]+\s*,\s*)*(\w*)$/.exec(st);
    if (m) return { kind: 'extends', declKind: m[1] as DeclKind, declName: m[2], typed: m[3] };
    if (/^\s*[A-Za-z_]*$/.test(st)) return { kind: 'top', typed: typedIdent };
    return { kind: 'none' };
  }
  const decl = stack.find((f) => f.role === 'decl');
  if (!decl) return { kind: 'none' };
  const declKind = decl.declKind!; const declName = decl.declName!;
  const inGrid = declKind === 'grid';
  // The enclosing section path: section frames below the declaration (a grid's `cell`/`when` bodies start afresh).
  let section: string[] = [];
  for (const f of stack.slice(stack.indexOf(decl) + 1, k + 1)) {
    if (f.role === 'section' && f.key) section.push(f.key);
    else if (f.role === 'cell' || f.role === 'when') section = [];
    else if (f.role === 'match') return { kind: 'none' };
  }
  const brace = stack[k];
  const st = text.slice(brace.stmt, offset);
  const join = (rest: string) => [...section, rest].filter(Boolean).join('.');

  if (k === stack.length - 1) {
    const init = /^\s*init\s+from\s+(\w*)$/.exec(st);
    if (init) return { kind: 'init', declName, typed: init[1] };
    // Entries on one line: the last `key =` at this level is the one under way.
    const eq = lastAssignment(st);
    if (!eq) {
      const m = /^\s*([A-Za-z_][\w.]*)?$/.exec(st);
      return m ? { kind: 'key', declKind, declName, section: section.join('.'), typed: m[1] ?? '', inGrid } : { kind: 'none' };
    }
    const value = st.slice(eq.end);
    const unit = /(?:^|[\s(,=])-?\d[\d_.]*(?:e-?\d+)?[KMB]?(\s*)([A-Za-z%_]*)$/.exec(value);
    // `12 ep` is a word unit under way; two spaces (`64  dev`) start the next entry, by convention.
    if (unit && unit[1].length <= 1) return { kind: 'unit', declKind, declName, path: join(eq.key), typed: unit[2], inGrid };
    const next = /\S(\s+)([A-Za-z_][\w.]*)?$/.exec(value);
    if (next) {
      const before = value.slice(0, value.length - (next[2]?.length ?? 0)).trimEnd();
      if (!/(\ball|\bexcept|\.\.)$/.test(before)) return { kind: 'key', declKind, declName, section: section.join('.'), typed: next[2] ?? '', inGrid };
    }
    return { kind: 'value', declKind, declName, path: join(eq.key), typed: typedIdent, inList: false, inGrid };
  }
  // Inside brackets or parentheses of a value: the key is the last assignment before the first one opened.
  const outer = stack[k + 1];
  const eq = lastAssignment(text.slice(brace.stmt, outer.start - 1));
  if (!eq) return { kind: 'none' };
  const inner = stack[stack.length - 1];
  const path = join(eq.key);
  const inside = text.slice(inner.start, offset);
  const seg = inside.slice(Math.max(inside.lastIndexOf(','), -1) + 1);
  const unit = /-?\d[\d_.]*(?:e-?\d+)?[KMB]?(\s*)([A-Za-z%_]*)$/.exec(seg);
  if (unit && /^\s*(?:[A-Za-z_]\w*\s*=\s*)?-?\d/.test(seg)) return { kind: 'unit', declKind, declName, path, typed: unit[2], inGrid };
  const call = [...stack.slice(k + 1)].reverse().find((f) => f.open === '(');
  const arg = inner.open === '(' ? /^\s*([A-Za-z_]\w*)\s*=\s*\w*$/.exec(seg)?.[1] : undefined;
  return { kind: 'value', declKind, declName, path, typed: typedIdent, callee: call?.key, arg, inList: stack.slice(k + 1).some((f) => f.open === '['), inGrid };
}

/** The last `key =` (not `==`, not inside brackets) in a statement, and where its value starts. */
function lastAssignment(st: string): { key: string; end: number } | undefined {
  let depth = 0; let found: { key: string; end: number } | undefined;
  for (let i = 0; i < st.length; i++) {
    const c = st[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '"') { const j = st.indexOf('"', i + 1); if (j < 0) break; i = j; }
    else if (c === '=' && depth === 0 && st[i + 1] !== '=') {
      const key = /([A-Za-z_][\w.]*)\s*$/.exec(st.slice(0, i))?.[1];
      if (key) found = { key, end: i + 1 };
    }
  }
  return found;
}
