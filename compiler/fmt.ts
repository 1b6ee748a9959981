// The canonical layout (docs/language.md §10): imports, then declarations separated by one blank line;
// two-space indentation; one entry per line, except that a section (or a task) whose entries are all
// plain fields and fit in 100 columns is written on one line with two spaces between entries; long
// lists wrap under their opening bracket. Numbers keep their spelling (`4.6M`, `1/8`, `3e-4`); word
// units take a space (`12 epochs`), symbol units none (`3s`). Comments are kept: each is emitted before
// the first node that follows it, or after the line it trailed. Formatting is idempotent, and
// parse(format(f)) has the same AST as f (test/compiler/fmt.test.ts).
import type { Block, Comment, Decl, Entry, File, GridItem, Node, Value } from '../grammar/ast.ts';
import { UNIT_WORDS } from '../grammar/index.ts';

const WIDTH = 100;
const SYMBOL_UNITS = new Set(['s', 'ms', 'min', 'h', 'Hz', 'kHz', 'fps', 'px', '%']);

export function format(file: File): string {
  return new Printer(file).print();
}

/** A string literal that reads back as `s` (grammar/tokens.ts STRING_ESCAPES); control characters as `\\u{…}`. */
function quote(s: string): string {
  return '"' + s.replace(/[\\"\n\t\r\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    switch (c) {
      case '\\': return '\\\\';
      case '"': return '\\"';
      case '\n': return '\\n';
      case '\t': return '\\t';
      case '\r': return '\\r';
      default: return `\\u{${c.codePointAt(0)!.toString(16)}}`;
    }
  }) + '"';
}

/**
 * The items of a value that prints one item per line when comments sit among them: a list, a call's
 * arguments, the removed list of `except`. `bracket` is the offset of the opening bracket.
 */
function commentable(v: Value): { open: string; close: string; bracket: number; items: { node: Node; text: string }[] } | undefined {
  if (v.kind === 'List') return { open: '[', close: ']', bracket: v.span.start.offset, items: v.items.map((x) => ({ node: x, text: valueToText(x) })) };
  if (v.kind === 'Call' && v.args.length + v.named.length) {
    const items = [...v.args.map((x) => ({ node: x as Node, text: valueToText(x) })),
      ...v.named.map((n) => ({ node: { span: { file: n.name.span.file, start: n.name.span.start, end: n.value.span.end } } as Node, text: `${n.name.name} = ${valueToText(n.value)}` }))];
    return { open: `${v.callee.name}(`, close: ')', bracket: v.callee.span.end.offset, items };
  }
  if (v.kind === 'Except' && v.removed.kind === 'List' && v.removed.items.length) {
    return { open: `${valueToText(v.base)} except [`, close: ']', bracket: v.removed.span.start.offset, items: v.removed.items.map((x) => ({ node: x, text: valueToText(x) })) };
  }
  return undefined;
}

/** One-line text of a value. */
export function valueToText(v: Value): string {
  switch (v.kind) {
    case 'Number': return v.text;
    case 'Quantity': {
      const num = v.text.endsWith(v.unit) ? v.text.slice(0, v.text.length - v.unit.length).trim() : v.text.split(/\s+/)[0];
      // `8M s` is 8,000,000 seconds: attached, `8Ms` would read as 8 of a unit `Ms`, so a number ending in a
      // multiplier (K, M, B) keeps its space before the unit.
      const attach = /[0-9]$/.test(num) && (SYMBOL_UNITS.has(v.unit) || !UNIT_WORDS.has(v.unit));
      return attach ? `${num}${v.unit}` : `${num} ${v.unit}`;
    }
    case 'Range': return v.hi ? `${valueToText(v.lo)} .. ${valueToText(v.hi)}` : `${valueToText(v.lo)} ..`;
    case 'String': return quote(v.value);
    case 'Bool': return String(v.value);
    case 'None': return 'none';
    case 'IdentValue': return v.name;
    case 'List': return `[${v.items.map(valueToText).join(', ')}]`;
    case 'Call': return `${v.callee.name}(${[...v.args.map(valueToText), ...v.named.map((n) => `${n.name.name} = ${valueToText(n.value)}`)].join(', ')})`;
    case 'Except': return `${valueToText(v.base)} except ${valueToText(v.removed)}`;
  }
}

class Printer {
  private readonly out: string[] = [];
  private readonly comments: Comment[];
  private next = 0;

  constructor(private readonly file: File) {
    this.comments = [...file.comments].sort((a, b) => a.span.start.offset - b.span.start.offset);
  }

  print(): string {
    const f = this.file;
    // An import written after a declaration stays where it is: hoisting it moved the comments around it
    // (one inside the declaration jumped above the imports; a `///` line before it became the next
    // declaration's doc, changing the AST).
    const firstDecl = f.decls.length ? f.decls[0].span.start.offset : Infinity;
    const late = f.imports.filter((imp) => imp.span.start.offset > firstDecl);
    for (const imp of f.imports) {
      if (late.includes(imp)) continue;
      this.leading(imp, '');
      this.line('', `import ${quote(imp.path.value)}`, imp);
    }
    let li = 0;
    const lateBefore = (offset: number) => {
      while (li < late.length && late[li].span.start.offset < offset) {
        const imp = late[li++];
        this.blank();
        this.leading(imp, '');
        this.line('', `import ${quote(imp.path.value)}`, imp);
      }
    };
    f.decls.forEach((d, i) => {
      lateBefore(d.span.start.offset);
      if (i > 0 || f.imports.length) this.blank();
      this.leading(d, '', d.doc !== undefined);
      this.decl(d);
    });
    lateBefore(Infinity);
    // Comments after the last declaration.
    const rest = this.comments.slice(this.next);
    // The end of the last thing printed: an import after the last declaration counts (a blank line before it
    // is not one before the comments, or a second fmt would add one).
    const lastEnd = Math.max(0, ...[f.decls[f.decls.length - 1], f.imports[f.imports.length - 1]].filter((x) => x).map((x) => x!.span.end.offset));
    if (rest.length && this.out.length && this.blankBetween(lastEnd, rest[0].span.start.offset)) this.blank();
    for (const c of rest) this.out.push(c.text);
    this.next = this.comments.length;
    return this.out.join('\n').replace(/\n{3,}/g, '\n\n').replace(/^\n+/, '') + '\n';
  }

  private blank() { if (this.out.length && this.out[this.out.length - 1] !== '') this.out.push(''); }

  /** Own-line comments that start before `node`; a blank line after a comment is kept. */
  private leading(node: Node, indent: string, beforeDoc = false) {
    const src = this.file.source.text;
    while (this.next < this.comments.length && this.comments[this.next].span.start.offset < node.span.start.offset) {
      const c = this.comments[this.next];
      // A comment between a declaration's `///` doc lines and its keyword stays below the doc (decl prints it).
      if (beforeDoc && !src.slice(c.span.end.offset, node.span.start.offset).includes('///')) return;
      this.out.push(indent + c.text);
      this.next++;
      const following = this.next < this.comments.length && this.comments[this.next].span.start.offset < node.span.start.offset
        ? this.comments[this.next].span.start.offset : node.span.start.offset;
      if (this.blankBetween(c.span.end.offset, following)) this.blank();
    }
  }

  private blankBetween(from: number, to: number): boolean {
    return /\n[ \t\r]*\n/.test(this.file.source.text.slice(from, to));
  }

  /** Comments inside `node`'s span (moved before it when the node prints on one line). */
  private hasCommentsIn(node: Node): boolean {
    const c = this.comments[this.next];
    return !!c && c.span.start.offset < node.span.end.offset;
  }

  private commentsBetween(from: number, to: number): boolean {
    const c = this.comments[this.next];
    return !!c && c.span.start.offset >= from && c.span.start.offset < to;
  }

  /** Emit a line for `node`, with a comment that trailed the node's last line. */
  private line(indent: string, text: string, node?: Node) {
    let s = indent + text;
    if (node) {
      const c = this.comments[this.next];
      if (c && c.trailing && c.span.start.line === node.span.end.line && c.span.start.offset >= node.span.end.offset
        && /^[\s,;)\]}]*$/.test(this.file.source.text.slice(node.span.end.offset, c.span.start.offset))) {
        s += '  ' + c.text; this.next++;
      }
    }
    this.out.push(s);
  }

  private decl(d: Decl) {
    if (d.doc !== undefined) {
      for (const l of d.doc.split('\n')) this.out.push(l ? `/// ${l}` : '///');
      this.leading(d, '');
    }
    const head = `${d.declKind} ${d.name.name}${d.extends.length ? ` extends ${d.extends.map((e) => e.name).join(', ')}` : ''}`;
    if (d.kind === 'GridDecl') {
      this.open(`${head} {`, d.name.span.end.offset);
      for (const it of d.items) this.gridItem(it, '  ');
      this.leadingBefore(d.span.end.offset, '  ');
      this.line('', '}', d);
      return;
    }
    if (d.declKind === 'task') {
      const one = this.oneLine(d.body);
      if (one !== undefined && head.length + one.length + 3 <= WIDTH) { this.line('', `${head} ${one}`, d); return; }
    }
    this.open(`${head} {`, d.body.span.start.offset);
    this.entries(d.body, '  ');
    this.line('', '}', d);
  }

  /**
   * An opening line (`data {`), keeping a comment that trailed the source's opening brace on it: the first
   * `{` at or after `from` (a block's own start, or a grid's name).
   */
  private open(text: string, from: number) {
    const src = this.file.source.text;
    const brace = src.indexOf('{', from);
    const c = this.comments[this.next];
    if (brace >= 0 && c && c.trailing && c.span.start.offset > brace && !src.slice(brace + 1, c.span.start.offset).includes('\n')
      && /^\s*$/.test(src.slice(brace + 1, c.span.start.offset))) {
      this.out.push(`${text}  ${c.text}`); this.next++;
      return;
    }
    this.out.push(text);
  }

  /** Comments before an offset (e.g. before a closing brace). */
  private leadingBefore(offset: number, indent: string) {
    while (this.next < this.comments.length && this.comments[this.next].span.start.offset < offset) {
      this.out.push(indent + this.comments[this.next].text);
      this.next++;
    }
  }

  private entries(b: Block, indent: string) {
    // Blank lines between entries (one at most) are the author's grouping: kept.
    b.entries.forEach((e, i) => {
      if (i > 0) {
        const c = this.comments[this.next];
        const start = c && c.span.start.offset < e.span.start.offset ? c.span.start.offset : e.span.start.offset;
        if (this.blankBetween(b.entries[i - 1].span.end.offset, start)) this.blank();
      }
      this.entry(e, indent);
    });
    this.leadingBefore(b.span.end.offset, indent);
  }

  /** `{ a = 1  b = 2 }` when every entry is a plain field, there are no comments, and it is short. */
  private oneLine(b: Block): string | undefined {
    // An empty block with a comment in it prints on lines of its own, the comment inside (`d {⏎  // c⏎}`).
    if (this.hasCommentsIn(b)) return undefined;
    if (!b.entries.length) return '{ }';
    if (b.entries.some((e) => e.kind !== 'Field')) return undefined;
    const text = `{ ${b.entries.map((e) => this.entryText(e)).join('  ')} }`;
    return text.includes('\n') ? undefined : text;
  }

  private entryText(e: Entry): string {
    if (e.kind === 'InitFrom') return `init from ${valueToText(e.target)}`;
    const key = e.key.parts.map((p) => p.name).join('.');
    if (e.kind === 'Field') return `${key} = ${valueToText(e.value)}`;
    return `${key} {…}`;
  }

  private entry(e: Entry, indent: string) {
    this.leading(e, indent);
    if (e.kind === 'Section') {
      const key = e.key.parts.map((p) => p.name).join('.');
      const one = this.oneLine(e.body);
      if (one !== undefined && indent.length + key.length + 1 + one.length <= WIDTH) { this.line(indent, `${key} ${one}`, e); return; }
      this.open(`${indent}${key} {`, e.body.span.start.offset);
      this.entries(e.body, indent + '  ');
      this.line(indent, '}', e);
      return;
    }
    const head = e.kind === 'InitFrom' ? 'init from ' : `${e.key.parts.map((p) => p.name).join('.')} = `;
    const value = e.kind === 'InitFrom' ? e.target : e.value;
    // Only comments inside the value itself: one between the key and the value goes above the field (below).
    const items = this.commentsBetween(value.span.start.offset, value.span.end.offset) ? commentable(value) : undefined;
    if (items) {
      // Comments among a list's (or a call's) items stay with the item they follow or precede, one item
      // per line; a comment nested deeper (inside an item) goes above that item's line.
      this.leadingBefore(items.bracket, indent);
      this.commentedItems(indent, head + items.open, items.items, items.close, value.span.end.offset, e, items.bracket);
      return;
    }
    // Comments inside any other value (a range, a nested list's bracket) move above the field.
    this.leadingBefore(e.span.end.offset, indent);
    this.line(indent, head + this.wrapValue(value, indent.length + head.length), e);
  }

  /**
   * `open item, item… close` with comments among the items: each item on its own line under the first,
   * own-line comments above the item they precede, a trailing comment after the item it followed.
   * `close` goes on its own line when a comment would otherwise swallow it.
   */
  private commentedItems(indent: string, open: string, items: { node: Node; text: string }[], close: string, end: number, owner: Node, bracket: number) {
    const pad = indent + ' '.repeat(open.length);
    let first = true;
    const src = this.file.source.text;
    const c0 = this.comments[this.next];
    const firstItem = items.length ? items[0].node.span.start.offset : end;
    if (c0 && c0.trailing && c0.span.start.offset > bracket && c0.span.start.offset < firstItem && !src.slice(bracket, c0.span.start.offset).includes('\n')) {
      this.out.push(`${indent}${open.trimEnd()}  ${c0.text}`); this.next++; first = false;
    }
    if (!items.length) {
      if (first) this.out.push(indent + open.trimEnd());
      this.closeAfter(pad, end); this.line(pad.slice(0, -1), close, owner);
      return;
    }
    const push = (s: string) => { this.out.push((first ? indent + open : pad) + s); first = false; };
    items.forEach((it, i) => {
      while (this.next < this.comments.length && this.comments[this.next].span.start.offset < it.node.span.start.offset) {
        const c = this.comments[this.next++];
        if (first) { this.out.push(indent + open.trimEnd()); first = false; }
        this.out.push(pad + c.text);
      }
      const last = i === items.length - 1;
      let s = it.text + (last ? '' : ',');
      const c = this.comments[this.next];
      const limit = last ? end : items[i + 1].node.span.start.offset;
      // Comments inside an item (a nested call's arguments) go above the next line: they cannot sit mid-item.
      while (this.next < this.comments.length && this.comments[this.next].span.start.offset < it.node.span.end.offset) {
        const inner = this.comments[this.next++];
        // Above the first item: on the opening line as the opening bracket's trailing comment (two spaces,
        // as the next fmt prints it), or alone below it when it was on a line of its own.
        if (first) {
          this.out.push(inner.trailing ? `${indent}${open.trimEnd()}  ${inner.text}` : indent + open.trimEnd());
          first = false;
          if (inner.trailing) continue;
        }
        push(inner.text);
      }
      if (c && c === this.comments[this.next] && c.trailing && c.span.start.line === it.node.span.end.line && c.span.start.offset >= it.node.span.end.offset && c.span.start.offset < limit) {
        s += '  ' + c.text; this.next++;
        push(s);
        if (last) { this.closeAfter(pad, end); this.line(pad.slice(0, -1), close, owner); }
        return;
      }
      if (last) {
        if (this.next < this.comments.length && this.comments[this.next].span.start.offset < end) {
          push(s); this.closeAfter(pad, end); this.line(pad.slice(0, -1), close, owner);
        } else {
          const text = (first ? indent + open : pad) + s + close; first = false;
          this.line('', text, owner);
        }
        return;
      }
      push(s);
    });
  }

  /** Own-line comments left before `end` (after a list's last item). */
  private closeAfter(pad: string, end: number) {
    while (this.next < this.comments.length && this.comments[this.next].span.start.offset < end) this.out.push(pad + this.comments[this.next++].text);
  }

  /** A list too long for the line wraps, filling lines, continuation aligned after `[`. */
  private wrapValue(v: Value, column: number): string {
    const flat = valueToText(v);
    if (column + flat.length <= WIDTH || v.kind !== 'List' || v.items.length < 2) return flat;
    const pad = ' '.repeat(column + 1);
    const lines: string[] = [];
    let cur = '';
    v.items.forEach((it, i) => {
      const t = valueToText(it) + (i < v.items.length - 1 ? ',' : ']');
      const start = lines.length === 0 ? column + 1 : pad.length;
      if (cur && start + cur.length + 1 + t.length > WIDTH) { lines.push(cur); cur = t; } else cur = cur ? `${cur} ${t}` : t;
    });
    lines.push(cur);
    return '[' + lines.join('\n' + pad);
  }

  private gridItem(it: GridItem, indent: string) {
    if (it.kind === 'Field' || it.kind === 'Section' || it.kind === 'InitFrom') { this.entry(it, indent); return; }
    this.leading(it, indent);
    this.leadingBefore(it.kind === 'GridWhen' ? it.body.span.start.offset : it.kind === 'GridAxis' ? this.file.source.text.indexOf('[', it.name.span.end.offset) : it.span.end.offset, indent);
    const match = (m: { axis: { name: string }; value: Value }[]) => `{ ${m.map((x) => `${x.axis.name} = ${valueToText(x.value)}`).join(', ')} }`;
    switch (it.kind) {
      case 'GridAxis': {
        const target = it.target ? ` -> ${it.target.parts.map((p) => p.name).join('.')}` : '';
        const bracket = this.file.source.text.indexOf('[', it.name.span.end.offset);
        if (this.commentsBetween(bracket, it.span.end.offset)) {
          const items = it.values.map((v, i) => ({ node: it.labels?.[i] ? { ...v, span: { file: v.span.file, start: v.span.start, end: it.labels[i]!.span.end } } : v, text: valueToText(v) + (it.labels?.[i] ? ` as ${quote(it.labels[i]!.value)}` : '') }));
          this.commentedItems(indent, `axis ${it.name.name} = [`, items, `]${target}`, it.target ? it.target.span.start.offset : it.span.end.offset, it, bracket);
          return;
        }
        const vals = it.values.map((v, i) => valueToText(v) + (it.labels?.[i] ? ` as ${quote(it.labels[i]!.value)}` : '')).join(', ');
        this.line(indent, `axis ${it.name.name} = [${vals}]${it.target ? ` -> ${it.target.parts.map((p) => p.name).join('.')}` : ''}`, it);
        return;
      }
      case 'GridZip': this.line(indent, `zip(${it.axes.map((a) => a.name).join(', ')})`, it); return;
      case 'GridExclude': this.line(indent, `exclude ${match(it.match)}`, it); return;
      case 'GridWhen': {
        const one = this.oneLine(it.body);
        const head = `when ${match(it.match)} `;
        const onlyInit = it.body.entries.length === 1 && it.body.entries[0].kind === 'InitFrom' && !this.hasCommentsIn(it.body);
        const text = onlyInit ? `{ ${this.entryText(it.body.entries[0])} }` : one;
        if (text !== undefined && indent.length + head.length + text.length <= WIDTH) { this.line(indent, head + text, it); return; }
        this.open(`${indent}${head}{`, it.body.span.start.offset);
        this.entries(it.body, indent + '  ');
        this.line(indent, '}', it);
      }
    }
  }
}
