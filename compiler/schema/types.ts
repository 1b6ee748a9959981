// Value types of the field table (docs/language.md §6): each converts an AST value to its resolved
// JSON form in base units, or reports a diagnostic and returns INVALID. Types describe themselves
// for diagnostics and for the generated reference tables.
import type { CallLit, Span, Value } from '../../grammar/ast.ts';
import type { Diagnostic } from '../diagnostic.ts';
import { M, diag, didYouMean } from '../messages.ts';
import { DIMENSION_INFO, unitInfo, unitsOf, toBase, type Dimension } from '../units.ts';
import { isLanguage, LANGUAGES, LANGUAGE_SLIPS } from './languages.ts';

export const INVALID = Symbol('invalid');
export type Converted<T> = T | typeof INVALID;

export interface ConvertCtx {
  report(d: Diagnostic): void;
  /** Source text of a span (for quoting the value received). */
  text(span: Span): string;
  /** Reference resolution (experiment fields only). */
  ref?(kind: 'backbone' | 'task', v: Value): unknown | typeof INVALID;
}

export interface ValueType<T = unknown> {
  /** "an integer ≥ 1", "a duration (e.g. 3s)". */
  describe: string;
  convert(v: Value, ctx: ConvertCtx, key: string): Converted<T>;
  // Editor hints (the language server's completion reads them; conversion never does).
  /** Names an enum or variant accepts; `call`: written as a constructor `name(…)`, `bare`: as a plain name. */
  options?: { name: string; bare: boolean; call: boolean }[];
  /** Units a number of this type may carry (`s`, `ms`, … for a duration). */
  units?: string[];
  /** Item type of a list, or the bound type of a range. */
  item?: ValueType;
}

const q = (ctx: ConvertCtx, v: Value) => {
  const t = ctx.text(v.span).replace(/\s+/g, ' ');
  return t.length > 40 ? t.slice(0, 37) + '…' : t;
};

export function mismatch(ctx: ConvertCtx, v: Value, key: string, expected: string, hint?: string): typeof INVALID {
  ctx.report(diag(M.typeMismatch, v.span, `\`${key}\` expects ${expected}, got \`${q(ctx, v)}\``, { hint }));
  return INVALID;
}

function rangeCheck(ctx: ConvertCtx, v: Value, key: string, x: number, o: NumOpts): boolean {
  const bad =
    (o.min !== undefined && (o.exclusiveMin ? x <= o.min : x < o.min)) ||
    (o.max !== undefined && (o.exclusiveMax ? x >= o.max : x > o.max));
  if (bad) {
    ctx.report(diag(M.outOfRange, v.span, `\`${key}\` must be ${boundsText(o)}, got \`${q(ctx, v)}\``));
    return false;
  }
  return true;
}

export interface NumOpts { min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean; int?: boolean }

export function boundsText(o: NumOpts, unit = ''): string {
  const parts: string[] = [];
  if (o.min !== undefined) parts.push(`${o.exclusiveMin ? '>' : '≥'} ${o.min}${unit}`);
  if (o.max !== undefined) parts.push(`${o.exclusiveMax ? '<' : '≤'} ${o.max}${unit}`);
  return parts.length ? parts.join(' and ') : 'a number';
}

const withBounds = (s: string, o: NumOpts, unit = '') => (o.min !== undefined || o.max !== undefined ? `${s} ${boundsText(o, unit)}` : s);

/** A plain number (or integer); `nouns` lists count units also accepted (`4.6M shots`, `16 frames`). */
export function num(o: NumOpts = {}, nouns: Dimension[] = []): ValueType<number> {
  const what = o.int ? 'an integer' : 'a number';
  return {
    describe: withBounds(what, o),
    units: nouns.flatMap(unitsOf),
    convert(v, ctx, key) {
      let x: number;
      if (v.kind === 'Number') x = v.value;
      else if (v.kind === 'Quantity') {
        const u = unitInfo(v.unit);
        if (!u || !nouns.includes(u.dim)) {
          ctx.report(diag(M.unitMismatch, v.span, `\`${key}\` expects ${what}${nouns.length ? ` or ${DIMENSION_INFO[nouns[0]].name}` : ''}, got \`${q(ctx, v)}\``,
            { hint: u ? (nouns.length ? `write e.g. \`${DIMENSION_INFO[nouns[0]].example}\`` : `drop the unit '${v.unit}'`) : `unknown unit '${v.unit}'` }));
          return INVALID;
        }
        x = v.value;
      } else return mismatch(ctx, v, key, withBounds(what, o));
      if (o.int && !Number.isInteger(x)) return mismatch(ctx, v, key, withBounds(what, o));
      return rangeCheck(ctx, v, key, x, o) ? x : INVALID;
    },
  };
}

/** A quantity of one dimension, converted to its base unit. A bare number is a unit error. */
export function quantity(dim: Dimension, o: NumOpts = {}, opts: { bareOk?: boolean } = {}): ValueType<number> {
  const info = DIMENSION_INFO[dim];
  const baseUnit = unitsOf(dim)[0];
  return {
    describe: withBounds(`${info.name} (e.g. \`${info.example}\`)`, o, dim === 'percent' ? '' : baseUnit),
    units: unitsOf(dim),
    convert(v, ctx, key) {
      if (v.kind === 'Number' && opts.bareOk) {
        return rangeCheck(ctx, v, key, v.value, o) ? v.value : INVALID;
      }
      if (v.kind === 'Number') {
        ctx.report(diag(M.unitMismatch, v.span, `\`${key}\` expects ${info.name}, got the bare number \`${q(ctx, v)}\``,
          { hint: `add a unit, e.g. \`${v.text}${unitsOf(dim)[0] === '%' ? '%' : unitsOf(dim)[0]}\` (${unitsOf(dim).join(', ')})` }));
        return INVALID;
      }
      if (v.kind !== 'Quantity') return mismatch(ctx, v, key, `${info.name} (e.g. \`${info.example}\`)`);
      const u = unitInfo(v.unit);
      if (!u) {
        ctx.report(diag(M.unitMismatch, v.span, `unknown unit '${v.unit}' in \`${q(ctx, v)}\``,
          { hint: didYouMean(v.unit, unitsOf(dim)) ?? `\`${key}\` takes ${unitsOf(dim).join(', ')}` }));
        return INVALID;
      }
      if (u.dim !== dim) {
        ctx.report(diag(M.unitMismatch, v.span, `\`${key}\` expects ${info.name}, got ${DIMENSION_INFO[u.dim].name} \`${q(ctx, v)}\``,
          { hint: `use one of: ${unitsOf(dim).join(', ')}` }));
        return INVALID;
      }
      const x = toBase(v.value, v.unit)!;
      if (!rangeCheck(ctx, v, key, x, o)) return INVALID;
      return x;
    },
  };
}

/** A fraction in [0,1]: `50%` or `0.5`. */
export function fraction(o: NumOpts = { min: 0, max: 1 }): ValueType<number> {
  const pct = quantity('percent', o, { bareOk: true });
  return { describe: 'a percentage (e.g. `50%`) or a fraction in [0, 1]', convert: pct.convert, units: pct.units };
}

export function range<T extends number>(bound: ValueType<T>, o: { openHi?: boolean } = {}): ValueType<{ min: number; max: number | null }> {
  return {
    describe: `a range \`lo .. hi\` of ${bound.describe}${o.openHi ? ' (hi may be omitted)' : ''}`,
    item: bound, units: bound.units,
    convert(v, ctx, key) {
      if (v.kind === 'Number' || v.kind === 'Quantity') {
        // A single value is the degenerate range lo = hi.
        const x = bound.convert(v, ctx, key);
        return x === INVALID ? INVALID : { min: x, max: x };
      }
      if (v.kind !== 'Range') return mismatch(ctx, v, key, `a range (e.g. \`lo .. hi\`)`);
      const lo = bound.convert(v.lo, ctx, key);
      if (!v.hi) {
        if (!o.openHi) return mismatch(ctx, v, key, `a closed range \`lo .. hi\``);
        return lo === INVALID ? INVALID : { min: lo, max: null };
      }
      const hi = bound.convert(v.hi, ctx, key);
      if (lo === INVALID || hi === INVALID) return INVALID;
      if (lo > hi) {
        ctx.report(diag(M.rangeEmpty, v.span, `range \`${q(ctx, v)}\` of \`${key}\` is empty: its lower bound exceeds its upper bound`,
          { hint: 'swap the bounds' }));
        return INVALID;
      }
      return { min: lo, max: hi };
    },
  };
}

export const bool: ValueType<boolean> = {
  describe: '`true` or `false`',
  convert(v, ctx, key) {
    if (v.kind === 'Bool') return v.value;
    return mismatch(ctx, v, key, '`true` or `false`');
  },
};

export const string: ValueType<string> = {
  describe: 'a quoted string',
  convert(v, ctx, key) {
    if (v.kind === 'String') return v.value;
    return mismatch(ctx, v, key, 'a quoted string', v.kind === 'IdentValue' ? `quote it: "${v.name}"` : undefined);
  },
};

export function enumOf<T extends string>(values: readonly T[]): ValueType<T> {
  return {
    describe: `one of ${values.map((x) => `\`${x}\``).join(', ')}`,
    options: values.map((name) => ({ name, bare: true, call: false })),
    convert(v, ctx, key) {
      if (v.kind === 'IdentValue' && (values as readonly string[]).includes(v.name)) return v.name as T;
      if (v.kind === 'None' && (values as readonly string[]).includes('none')) return 'none' as T;
      if (v.kind === 'IdentValue') {
        ctx.report(diag(M.unknownEnum, v.span, `\`${key}\` has no option \`${v.name}\``,
          { hint: didYouMean(v.name, values) ?? `expected one of: ${values.join(', ')}` }));
        return INVALID;
      }
      return mismatch(ctx, v, key, `one of ${values.join(', ')}`);
    },
  };
}

// The identity of a list item for `unique` lists: its JSON. Referenced specs (`probes = [esc50, …]`)
// are objects shared by every experiment of a program, so their JSON is computed once per object
// (stringifying each task spec for every cell dominated the compile of a 10,000-cell grid).
const jsonOf = new WeakMap<object, string>();
const uniqueKey = (x: unknown): string => {
  if (x === null || typeof x !== 'object') return JSON.stringify(x);
  let k = jsonOf.get(x);
  if (k === undefined) { k = JSON.stringify(x); jsonOf.set(x, k); }
  return k;
};

export function list<T>(item: ValueType<T>, o: { minItems?: number; unique?: boolean } = {}): ValueType<T[]> {
  return {
    describe: `a list of ${item.describe}`,
    item,
    convert(v, ctx, key) {
      const items = v.kind === 'List' ? v.items : undefined;
      if (!items) return mismatch(ctx, v, key, `a list \`[…]\` of ${item.describe}`);
      if (o.minItems !== undefined && items.length < o.minItems) {
        ctx.report(diag(M.outOfRange, v.span, `\`${key}\` needs at least ${o.minItems} item${o.minItems === 1 ? '' : 's'}, got ${items.length}`));
        return INVALID;
      }
      const out: T[] = []; let bad = false;
      const seen = new Map<string, Value>();
      for (const it of items) {
        const x = item.convert(it, ctx, key);
        if (x === INVALID) { bad = true; continue; }
        if (o.unique) {
          const k = uniqueKey(x);
          const prev = seen.get(k);
          if (prev) {
            ctx.report(diag(M.duplicateField, it.span, `\`${q(ctx, it)}\` appears twice in \`${key}\``,
              { related: [{ span: prev.span, message: 'first listed here' }] }));
            bad = true; continue;
          }
          seen.set(k, it);
        }
        out.push(x);
      }
      return bad ? INVALID : out;
    },
  };
}

/** An ISO 639-1 language code, written `EN` (any case); resolved lowercase. */
export const lang: ValueType<string> = {
  describe: 'an ISO 639-1 language code (e.g. `EN`)',
  convert(v, ctx, key) {
    if (v.kind !== 'IdentValue') return mismatch(ctx, v, key, 'an ISO 639-1 language code (e.g. `EN`)');
    const code = v.name.toLowerCase();
    if (!isLanguage(code)) {
      const slip = LANGUAGE_SLIPS[code];
      const n = slip ? `did you mean '${slip.toUpperCase()}'? (languages are ISO 639-1 codes, not country codes)`
        : didYouMean(v.name.toUpperCase(), [...LANGUAGES].map((l) => l.toUpperCase()));
      ctx.report(diag(M.unknownLanguage, v.span, `\`${v.name}\` is not an ISO 639-1 language code`,
        { hint: n ?? 'languages are two-letter ISO 639-1 codes such as EN, ES, FR, JA, DE, IT, KO' }));
      return INVALID;
    }
    return code;
  },
};

/** A set of languages: `all`, `[EN, ES]`, `EN`, `all except [EN]`. */
export const langSet: ValueType<{ include: string[] | 'all'; exclude: string[] }> = {
  describe: '`all`, a list of languages `[EN, ES]`, or `all except [EN]`',
  convert(v, ctx, key) {
    if (v.kind === 'IdentValue' && v.name === 'all') return { include: 'all', exclude: [] };
    if (v.kind === 'Except') {
      const base = langSet.convert(v.base, ctx, key);
      const removed = v.removed.kind === 'List' ? list(lang, { unique: true }).convert(v.removed, ctx, key) : lang.convert(v.removed, ctx, key);
      if (base === INVALID || removed === INVALID) return INVALID;
      const rem = Array.isArray(removed) ? removed : [removed];
      if (base.include === 'all') return { include: 'all', exclude: [...new Set([...base.exclude, ...rem])].sort() };
      return { include: base.include.filter((l) => !rem.includes(l)), exclude: [] };
    }
    if (v.kind === 'List') {
      const ls = list(lang, { minItems: 1, unique: true }).convert(v, ctx, key);
      return ls === INVALID ? INVALID : { include: [...ls].sort(), exclude: [] };
    }
    if (v.kind === 'IdentValue') {
      const l = lang.convert(v, ctx, key);
      return l === INVALID ? INVALID : { include: [l], exclude: [] };
    }
    return mismatch(ctx, v, key, langSet.describe);
  },
};

// ---- constructor calls: `adamw(lr = 3e-4)`, `fixed(ES)`, `synthetic(titles = 24, …)` ---------------

export interface CallShape {
  /** Positional parameters in order (name + type); `rest` takes any number of trailing positionals. */
  positional?: { name: string; type: ValueType }[];
  rest?: { name: string; type: ValueType; min?: number };
  named?: Record<string, ValueType>;
  required?: string[];
}

/** Checks a call against its shape; returns the arguments by name (rest args under `rest.name`). */
export function callArgs(c: CallLit, shape: CallShape, ctx: ConvertCtx, key: string): Converted<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const where = `${c.callee.name}(…)`;
  let bad = false;
  const pos = shape.positional ?? [];
  const restVals: unknown[] = [];
  c.args.forEach((a, i) => {
    if (i < pos.length) {
      const x = pos[i].type.convert(a, ctx, `${key}: ${c.callee.name} ${pos[i].name}`);
      if (x === INVALID) bad = true; else out[pos[i].name] = x;
    } else if (shape.rest) {
      const x = shape.rest.type.convert(a, ctx, `${key}: ${c.callee.name}`);
      if (x === INVALID) bad = true; else restVals.push(x);
    } else {
      ctx.report(diag(M.badArguments, a.span, `${where} takes ${pos.length ? `${pos.length} positional argument${pos.length > 1 ? 's' : ''}` : 'no positional arguments'}, got ${c.args.length}`,
        { hint: shape.named ? `named arguments: ${Object.keys(shape.named).join(', ')}` : undefined }));
      bad = true;
    }
  });
  if (shape.rest) {
    if (restVals.length < (shape.rest.min ?? 0)) {
      ctx.report(diag(M.badArguments, c.span, `${where} needs at least ${shape.rest.min} ${shape.rest.name}`));
      bad = true;
    }
    out[shape.rest.name] = restVals;
  }
  const seen = new Map<string, Span>();
  for (const n of c.named) {
    const t = shape.named?.[n.name.name];
    const positionalNamed = pos.find((p) => p.name === n.name.name);
    const type = t ?? positionalNamed?.type;
    if (!type) {
      const names = [...Object.keys(shape.named ?? {}), ...pos.map((p) => p.name)];
      ctx.report(diag(M.badArguments, n.name.span, `${where} has no argument \`${n.name.name}\``,
        { hint: didYouMean(n.name.name, names) ?? (names.length ? `arguments: ${names.join(', ')}` : `${where} takes no named arguments`) }));
      bad = true; continue;
    }
    const prev = seen.get(n.name.name);
    if (prev || out[n.name.name] !== undefined) {
      ctx.report(diag(M.duplicateField, n.name.span, `argument \`${n.name.name}\` given twice in ${where}`,
        { related: prev ? [{ span: prev, message: 'first given here' }] : [] }));
      bad = true; continue;
    }
    seen.set(n.name.name, n.name.span);
    const x = type.convert(n.value, ctx, `${key}: ${c.callee.name} ${n.name.name}`);
    if (x === INVALID) bad = true; else out[n.name.name] = x;
  }
  for (const r of shape.required ?? []) {
    if (out[r] === undefined && !bad) {
      ctx.report(diag(M.badArguments, c.span, `${where} needs \`${r}\``, { hint: `write ${c.callee.name}(${r} = …)` }));
      bad = true;
    }
  }
  return bad ? INVALID : out;
}

/** A value that is one of several constructors (`adamw(…)`, `sgd(…)`) or bare names (`off`, `any`). */
export function variant<T>(name: string, cases: Record<string, { shape?: CallShape; bare?: boolean; build: (args: Record<string, unknown>) => T }>): ValueType<T> {
  const names = Object.keys(cases);
  const forms = names.map((n) => (cases[n].bare && !cases[n].shape ? n : cases[n].bare ? `${n} | ${n}(…)` : `${n}(…)`));
  return {
    describe: `${name}: ${forms.map((f) => `\`${f}\``).join(', ')}`,
    options: names.map((n) => ({ name: n, bare: !!cases[n].bare, call: !!cases[n].shape })),
    convert(v, ctx, key) {
      const callee = v.kind === 'Call' ? v.callee.name : v.kind === 'IdentValue' ? v.name : v.kind === 'None' ? 'none' : undefined;
      if (callee === undefined) return mismatch(ctx, v, key, `${name}: one of ${forms.join(', ')}`);
      const c = cases[callee];
      if (!c) {
        ctx.report(diag(M.unknownEnum, v.kind === 'Call' ? v.callee.span : v.span, `\`${key}\` has no option \`${callee}\``,
          { hint: didYouMean(callee, names) ?? `expected one of: ${forms.join(', ')}` }));
        return INVALID;
      }
      if (v.kind !== 'Call') {
        if (!c.bare) {
          ctx.report(diag(M.badArguments, v.span, `\`${callee}\` needs arguments: write \`${callee}(…)\``,
            { hint: c.shape?.required?.length ? `required: ${c.shape.required.join(', ')}` : undefined }));
          return INVALID;
        }
        if (c.shape?.required?.length) {
          ctx.report(diag(M.badArguments, v.span, `\`${callee}\` needs \`${c.shape.required[0]}\``, { hint: `write ${callee}(${c.shape.required[0]} = …)` }));
          return INVALID;
        }
        return c.build({});
      }
      const args = callArgs(v, c.shape ?? {}, ctx, key);
      return args === INVALID ? INVALID : c.build(args);
    },
  };
}
