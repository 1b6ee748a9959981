// `lssdc fmt [--check] PATH…`: rewrite .lssd files in the canonical layout (compiler/fmt.ts).
// `--check` changes nothing: it lists files that would change and exits 1 (for CI).
// A file with syntax errors, or that is not valid UTF-8, is left untouched and its diagnostics are
// printed. Files are replaced by runtime/files/write.ts: through symlinks, keeping mode, owner and hard
// links, fsynced, no temp file left on failure; a file that cannot be written is LSSD5043 and the
// other files are still formatted.
import { readFileSync } from 'node:fs';
import type { Command } from '../main.ts';
import type { Diagnostic } from '../../compiler/diagnostic.ts';
import { parse } from '../../grammar/index.ts';
import { format } from '../../compiler/fmt.ts';
import { diag, M } from '../../compiler/messages.ts';
import { writeFileSafely } from '../../runtime/files/write.ts';
import { reason } from '../../runtime/files/walk.ts';
import { collectFiles, STDIN_NAME } from './check.ts';
import { parseArgs, printDiagnostics, usageError, useColor } from '../args.ts';

const USAGE = `usage: lssdc fmt [--check] PATH...

Rewrite .lssd files (a directory means every *.lssd below it) in the canonical layout. Comments are
kept; formatting twice changes nothing. '-' (or /dev/stdin) formats standard input to standard output.

options:
  --check      do not write; list the files that would change and exit 1 if any
  --stdout     print the formatted text instead of writing
  --no-color   plain diagnostics`;

/** Text of `bytes` if it is valid UTF-8; otherwise the 1-based line and column of the first bad byte. */
export function decodeUtf8(bytes: Uint8Array): { text: string } | { line: number; column: number; offset: number } {
  try { return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) }; } catch {
    // Find the first invalid sequence by decoding growing prefixes of whole lines.
    const dec = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    let lo = 0; let hi = bytes.length;
    while (lo < hi) { // largest valid prefix length (a prefix ending mid-character also fails: that is fine)
      const mid = (lo + hi + 1) >> 1;
      try { dec.decode(bytes.subarray(0, mid)); lo = mid; } catch { hi = mid - 1; }
    }
    const good = lo;
    const prefix = new TextDecoder().decode(bytes.subarray(0, good));
    const lines = prefix.split('\n');
    return { line: lines.length, column: lines[lines.length - 1].length + 1, offset: good };
  }
}

export const command: Command = {
  name: 'fmt',
  summary: 'format .lssd files in the canonical layout',
  usage: USAGE,
  async run(args) {
    const p = parseArgs(args, ['--check', '--stdout', '--no-color']);
    if (typeof p === 'string') return usageError(args, USAGE, p);
    if (!p.positional.length) return usageError(args, USAGE, 'no files given');
    const { files, missing, diagnostics: walked } = collectFiles(p.positional);
    if (missing.length) return usageError(args, USAGE, missing.map((m) => `no such file or directory: ${m}`).join('; '));
    if (!files.length && !walked.length) return usageError(args, USAGE, `no .lssd files under ${p.positional.join(', ')}`);
    const color = useColor(process.stderr, p.flags.has('--no-color'));
    const report = (ds: Diagnostic[], sources: { name: string; text: string }[] = []) => printDiagnostics(false, ds, sources, color);
    report(walked);
    let failed = walked.some((d) => d.severity === 'error');
    const changed: string[] = [];
    for (const file of files) {
      const stdin = file === '-';
      const name = stdin ? STDIN_NAME : file;
      let bytes: Buffer;
      try { bytes = readFileSync(stdin ? 0 : file); } catch (e) {
        report([diag(M.pathUnreadable, undefined, `cannot read ${name}: ${reason(e)}`)]); failed = true; continue;
      }
      const decoded = decodeUtf8(bytes);
      if (!('text' in decoded)) {
        // Writing it back would replace the bad bytes with U+FFFD: refuse, and quote nothing of it.
        report([diag(M.invalidUtf8, undefined, `${name}:${decoded.line}:${decoded.column}: not valid UTF-8 (byte ${decoded.offset}); left unchanged`,
          { hint: 'convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)' })]);
        failed = true; continue;
      }
      const text = decoded.text;
      const source = { name, text };
      const r = parse(source);
      if (r.diagnostics.length) { report(r.diagnostics, [source]); failed = true; continue; }
      const out = format(r.value!);
      if (stdin || p.flags.has('--stdout')) { if (!p.flags.has('--check')) process.stdout.write(out); if (out !== text) changed.push(name); continue; }
      if (out === text) continue;
      changed.push(file);
      if (!p.flags.has('--check')) {
        const err = writeFileSafely(file, out);
        if (err) { report([err]); failed = true; changed.pop(); }
      }
    }
    if (p.flags.has('--check')) {
      for (const f of changed) process.stdout.write(`would reformat ${f}\n`);
      return failed || changed.length ? 1 : 0;
    }
    const written = changed.filter((f) => f !== STDIN_NAME);
    if (!p.flags.has('--stdout') && written.length) process.stderr.write(`formatted ${written.length} file${written.length === 1 ? '' : 's'}\n`);
    return failed ? 1 : 0;
  },
};
