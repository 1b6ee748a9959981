// Mutation operators for the fuzz campaigns (bench/fuzz.ts) and the crash-corpus regression test
// (test/fuzz/corpus.test.ts). Every operator is a pure function of (text, rng, pool): the same seed gives
// the same mutant, so a campaign's failure is reproduced from its seed and case number alone.

export type Rng = () => number;

/** mulberry32: small, fast, seedable. */
export function rng(seed: number): Rng {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rng, n: number) => Math.floor(r() * n);

/**
 * Tokens as a user sees them (not the lexer's: the fuzz must not share the code it tests): strings,
 * comments, words, numbers with units, whitespace runs, single punctuation.
 */
const TOKEN = /\s+|"(?:[^"\\\n]|\\.)*"?|\/\/[^\n]*|[A-Za-z_][\w.]*|\d[\w.%/]*|[\s\S]/g;
export const tokens = (text: string): string[] => text.match(TOKEN) ?? [];

const VOCAB = ['{', '}', '[', ']', '(', ')', '=', '..', ',', ';', '"', '1/0', '1/8', '-', '->', 'except', 'init from', 'extends',
  'none', 'true', '12 epochs', '300 steps', '3s', '48kHz', '50%', '4.6M shots', '12 per_device', 'experiment', 'preset', 'grid',
  'axis', 'when', 'zip', 'cell(x = 1)', '\n', '///', '// c', '#', 'all', 'EN', 'XX', '1e999', '0.0.0', '@', 'é', 'data',
  'views.video', 'model.video', 'loss.lambda_a', 'dubs.policy', 'fixed(ES)', 'random()', 'A1', 'A2', 'cpu_small', 'paper_main',
  'mvit_s', 'esc50', 'synth_scene', 'init from A4', 'init from random', 'import "paper"', 'import "./A1.lssd"', 'profile', 'project',
  'catalog', 'synthetic(', 'probes', 'seed', 'steps', 'batch'];

/** Characters a terminal or a column counter gets wrong: C0/C1 controls, ESC sequences, bidi, CJK, emoji, combining, BOM, lone surrogates. */
const HOSTILE_CHARS = ['\u0000', '\u0007', '\b', '\r', '\x1b[2J', '\x1b]0;pwn\x07', '\x7f', '\u0085', '\u009b', '\u2028', '\u2029',
  '\u202e', '\u2066', '\ufeff', '\u200b', '\u0301', '漢字', '👩‍👩‍👧', '🎬', '\ud800', '\udfff', '\uffff', '\t', '\v', '\f'];

const HUGE_NUMBERS = ['1e308', '1e309', '-1e309', '9007199254740993', '123456789012345678901234567890', '0.' + '0'.repeat(400) + '1',
  '9'.repeat(400), '1e-400', '0x10', '1_000', '00000000000001', '-0', 'NaN', 'Infinity', '4.6e99999M shots', '1e18 steps', '1e400 s'];

export type MutationKind =
  | 'byte-flip' | 'token-delete' | 'token-duplicate' | 'token-swap' | 'vocab-insert' | 'line-dup' | 'line-swap' | 'truncate'
  | 'splice' | 'unicode' | 'deep-nesting' | 'huge-number' | 'huge-string' | 'huge-identifier' | 'numbers' | 'rename' | 'comment';

export const KINDS: readonly MutationKind[] = ['byte-flip', 'token-delete', 'token-duplicate', 'token-swap', 'vocab-insert', 'line-dup',
  'line-swap', 'truncate', 'splice', 'unicode', 'deep-nesting', 'huge-number', 'huge-string', 'huge-identifier', 'numbers', 'rename', 'comment'];

const insertAt = (text: string, i: number, s: string) => text.slice(0, i) + s + text.slice(i);

/**
 * Applies one mutation of `kind`. `pool` is every original text (splices take a piece of another file).
 * Byte flips work on UTF-8 bytes and decode the way the node host reads a file (invalid sequences →
 * U+FFFD), so they reach the not-UTF-8 diagnostic exactly as a corrupted file on disk would.
 */
export function mutate(kind: MutationKind, text: string, r: Rng, pool: readonly string[]): string {
  const at = () => int(r, text.length + 1);
  switch (kind) {
    case 'byte-flip': {
      const b = Buffer.from(text, 'utf8');
      if (b.length === 0) return '\xff';
      for (let n = 1 + int(r, 4); n > 0; n--) { const i = int(r, b.length); b[i] ^= 1 << int(r, 8); }
      return b.toString('utf8');
    }
    case 'token-delete': case 'token-duplicate': case 'token-swap': {
      const ts = tokens(text);
      if (ts.length < 2) return text + pick(r, VOCAB);
      const i = int(r, ts.length);
      if (kind === 'token-delete') ts.splice(i, 1 + int(r, 3));
      else if (kind === 'token-duplicate') ts.splice(i, 0, ...ts.slice(i, i + 1 + int(r, 4)));
      else { const j = int(r, ts.length); [ts[i], ts[j]] = [ts[j], ts[i]]; }
      return ts.join('');
    }
    case 'vocab-insert': return insertAt(text, at(), pick(r, VOCAB) + (r() < 0.5 ? ' ' : ''));
    case 'line-dup': case 'line-swap': {
      const ls = text.split('\n'); const i = int(r, ls.length);
      if (kind === 'line-dup') ls.splice(i, 0, ls[i]); else { const j = int(r, ls.length); [ls[i], ls[j]] = [ls[j], ls[i]]; }
      return ls.join('\n');
    }
    case 'truncate': return text.slice(0, at());
    case 'splice': {
      const other = pick(r, pool);
      const a = int(r, other.length + 1), len = int(r, Math.min(2000, other.length - a) + 1);
      const piece = other.slice(a, a + len);
      const i = at();
      // Half the time the piece replaces a stretch of the same length (a merge gone wrong), else it is inserted.
      return r() < 0.5 ? text.slice(0, i) + piece + text.slice(i + len) : insertAt(text, i, piece);
    }
    case 'unicode': {
      let t = text;
      for (let n = 1 + int(r, 3); n > 0; n--) {
        const c = pick(r, HOSTILE_CHARS);
        // Inside a string or a comment as often as between tokens: both reach the excerpt printer.
        const q = t.indexOf('"', int(r, t.length + 1));
        const i = q >= 0 && r() < 0.5 ? q + 1 : int(r, t.length + 1);
        t = insertAt(t, i, c);
      }
      return t;
    }
    case 'deep-nesting': {
      const depth = pick(r, [64, 500, 2000, 10000, 50000]);
      const [open, close] = pick(r, [['[', ']'], ['(', ')'], ['{', '}'], ['-', ''], ['!', ''], ['"', '']]);
      const balanced = r() < 0.5;
      return insertAt(text, at(), open.repeat(depth) + (balanced ? '1' + close.repeat(depth) : ''));
    }
    case 'huge-number': {
      const nums = [...text.matchAll(/\d+(\.\d+)?/g)];
      if (!nums.length) return insertAt(text, at(), pick(r, HUGE_NUMBERS));
      const m = pick(r, nums);
      return text.slice(0, m.index!) + pick(r, HUGE_NUMBERS) + text.slice(m.index! + m[0].length);
    }
    case 'huge-string': {
      // A megabyte costs ~1 s to compile and render: one huge string in ten, so a campaign keeps its pace.
      const n = r() < 0.1 ? 1_000_000 : pick(r, [300, 5000, 70_000]);
      const body = pick(r, ['a', 'é', '漢', '\\n', '\\u{1F3AC}', ' ', '\\']).repeat(n);
      // Unrolled ("[^"\\\n]*(\\.[^"\\\n]*)*"): the same strings as "(?:[^"\\\n]|\\.)*", without one regex
      // backtracking frame per character, which overflowed the stack on a string a previous mutation made huge.
      const strs = [...text.matchAll(/"[^"\\\n]*(?:\\.[^"\\\n]*)*"/g)];
      if (strs.length && r() < 0.7) { const m = pick(r, strs); return text.slice(0, m.index!) + `"${body}"` + text.slice(m.index! + m[0].length); }
      return insertAt(text, at(), `"${body}"`);
    }
    case 'huge-identifier': {
      const id = 'x'.repeat(r() < 0.1 ? 200_000 : pick(r, [300, 5000]));
      const words = [...text.matchAll(/\b[a-z_]{2,}\b/g)];
      if (!words.length) return insertAt(text, at(), id);
      const m = pick(r, words);
      return text.slice(0, m.index!) + (r() < 0.5 ? id : m[0] + '.' + id) + text.slice(m.index! + m[0].length);
    }
    case 'comment': {
      // A comment where a user might put one: ending a line (trailing), on its own line, or after any
      // token (then the rest of that line moves to the next one, so the code is unchanged).
      const note = pick(r, ['// note', '# why', '// é 漢字', '//', '// { not code }', '////']);
      const ls = text.split('\n'); const i = int(r, ls.length);
      const where = int(r, 3);
      if (where === 0) ls[i] = ls[i] + '  ' + note;
      else if (where === 1) ls.splice(i, 0, (ls[i].match(/^\s*/)?.[0] ?? '') + note);
      else {
        const ts = tokens(ls[i]);
        const k = int(r, ts.length + 1);
        ls[i] = ts.slice(0, k).join('') + ' ' + note + '\n' + ts.slice(k).join('');
      }
      return ls.join('\n');
    }
    case 'numbers':
      return text.replace(/\d+(\.\d+)?/g, (m) => (r() < 0.15 ? pick(r, ['0', '-1', '1e9', '0.5', '26', '3', '100000000']) : m));
    case 'rename':
      return text.replace(/\b[a-z_]{3,}\b/g, (m) => (r() < 0.05 ? pick(r, ['experiment', 'lambda_v', 'dubs', 'video', 'data', 'mvit_b', 'cpu_small', 'none', 'any']) : m));
  }
}

/** 1–3 mutations of random kinds; returns the mutant and the kinds applied, in order. */
export function mutateSome(text: string, r: Rng, pool: readonly string[], kinds: readonly MutationKind[] = KINDS): { text: string; kinds: MutationKind[] } {
  const applied: MutationKind[] = [];
  for (let n = 1 + int(r, 3); n > 0; n--) { const k = pick(r, kinds); applied.push(k); text = mutate(k, text, r, pool); }
  return { text, kinds: applied };
}
