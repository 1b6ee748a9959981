// `lssdc check --watch`: runs the check, then again whenever a checked file, a file it imports, or the
// set of .lssd files under a checked directory changes (debounced: a burst of saves is one re-check).
// Runs until interrupted (Ctrl-C exits 130, like every lssdc command stopped by SIGINT).
import { statSync, watch, type FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { compileFile } from '../compiler/index.ts';
import { displayPath, nodeHost } from '../runtime/host.ts';
import { collectFiles } from './commands/check.ts';

/** Delay between the last change and the re-check, in ms. */
export const WATCH_DEBOUNCE_MS = 150;

/** Files the check reads (the checked files and everything they import), as absolute paths. */
function watchedFiles(paths: string[]): Set<string> {
  const { files } = collectFiles(paths);
  const host = nodeHost();
  const out = new Set<string>();
  for (const f of files) {
    out.add(resolve(f));
    for (const s of compileFile(f, host).value?.sources.keys() ?? []) out.add(resolve(s));
  }
  return out;
}

export function watchCheck(paths: string[], check: (args: string[]) => Promise<number>, args: string[]): Promise<number> {
  // Checked directories: a .lssd file added or removed below one changes what is checked.
  const dirs = new Set(paths.map((p) => resolve(p)).filter((p) => { try { return statSync(p).isDirectory(); } catch { return false; } }));
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running = false; let again = false;
  let files = new Set<string>();

  const rewatch = () => {
    for (const w of watchers) w.close();
    watchers = [];
    files = watchedFiles(paths);
    // Watch directories (editors replace files on save, which ends a watch on the file itself).
    const watchDirs = new Set([...files].map((f) => dirname(f)));
    for (const d of watchDirs) {
      try {
        watchers.push(watch(d, (_event, name) => {
          const full = name ? resolve(d, name.toString()) : undefined;
          if (full && (files.has(full) || (full.endsWith('.lssd') && [...dirs].some((x) => full.startsWith(x))))) changed(full);
        }));
      } catch { /* a directory that vanished: the next round re-lists */ }
    }
    for (const d of dirs) {
      if (watchDirs.has(d)) continue;
      try { watchers.push(watch(d, { recursive: true }, (_e, name) => { if (name?.toString().endsWith('.lssd')) changed(resolve(d, name.toString())); })); } catch { /* see above */ }
    }
  };

  const round = async (why?: string) => {
    if (running) { again = true; return; }
    running = true;
    if (why) process.stdout.write(`\n[${new Date().toTimeString().slice(0, 8)}] ${displayPath(why)} changed: re-checking\n`);
    await check(args);
    rewatch();
    process.stdout.write('watching for changes (Ctrl-C stops)\n');
    running = false;
    if (again) { again = false; void round('files'); }
  };
  const changed = (file: string) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => { timer = undefined; void round(file); }, WATCH_DEBOUNCE_MS);
  };

  return new Promise<number>((done) => {
    process.once('SIGINT', () => { for (const w of watchers) w.close(); if (timer) clearTimeout(timer); done(130); });
    void round();
  });
}
