// The Node-backed CompilerHost: the only place the compiler's file reads touch the disk.
// Import specs: `"paper"` → stdlib/paper.lssd; `"./A2.lssd"` → relative to the importing file.
// Paths are reported relative to the working directory when they lie under it (short diagnostics,
// stable golden files), absolute otherwise.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompilerHost } from '../compiler/host.ts';
import { PROJECT_FILE } from '../compiler/bindings.ts';
import { defaultRoot } from './paths.ts';

export const STDLIB_DIR = fileURLToPath(new URL('../stdlib/', import.meta.url));

export function displayPath(p: string, cwd = process.cwd()): string {
  const abs = resolve(cwd, p);
  const rel = relative(cwd, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : abs;
}

/** Directories imports may reach outside their project: `allowImports` plus LSSD_ALLOW_IMPORT (`:`-separated). */
export function allowedImportDirs(allow: readonly string[] = [], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string[] {
  return [...allow, ...(env.LSSD_ALLOW_IMPORT ?? '').split(':').filter(Boolean)].map((d) => resolve(cwd, d));
}

const inside = (p: string, dir: string) => { const r = relative(dir, p); return r === '' || (!r.startsWith('..') && !isAbsolute(r)); };

export function nodeHost(opts: { cwd?: string; stdlibDir?: string; allowImports?: readonly string[] } = {}): CompilerHost {
  const cwd = opts.cwd ?? process.cwd();
  const stdlibDir = opts.stdlibDir ?? STDLIB_DIR;
  const allowed = allowedImportDirs(opts.allowImports, process.env, cwd);
  const isFile = (p: string) => { try { return statSync(p).isFile(); } catch { return false; } };
  // Files and pipes; not a device (`lssdc show /dev/zero` read forever) or socket.
  const isReadable = (p: string) => { try { const st = statSync(p); return st.isFile() || st.isFIFO(); } catch { return false; } };
  return {
    stdlibDir,
    readFile(path) {
      const abs = resolve(cwd, path);
      // Not only regular files: a named pipe or /dev/fd/N (`check <(…)`) is read too.
      if (!isReadable(abs)) return undefined;
      try { return readFileSync(abs, 'utf8'); } catch { return undefined; }
    },
    // An import stays inside the importing file's project (the directory `--root` defaults from:
    // nearest package.json or .lssd) or the stdlib, unless allowed: a spec from an untrusted pull request
    // must not read /proc/self/environ or ~/.ssh into a CI log.
    checkImport(target, from) {
      let abs = resolve(cwd, target);
      try { abs = realpathSync(abs); } catch { /* resolved already; read errors come later */ }
      const project = dirname(defaultRoot(resolve(cwd, from)));
      if (inside(abs, project) || inside(abs, resolve(stdlibDir)) || allowed.some((d) => inside(abs, d))) return undefined;
      return `import of ${displayPath(abs, cwd)} from ${displayPath(resolve(cwd, from), cwd)} leaves the project (${displayPath(project, cwd)})`;
    },
    resolveImport(spec, from) {
      let target: string;
      if (spec.startsWith('./') || spec.startsWith('../') || isAbsolute(spec)) {
        target = resolve(cwd, dirname(from), spec);
        if (!isFile(target) && isFile(target + '.lssd')) target += '.lssd';
      } else {
        if (!/^[A-Za-z0-9_/-]+$/.test(spec)) return undefined;
        target = join(stdlibDir, spec.endsWith('.lssd') ? spec : `${spec}.lssd`);
      }
      return existsSync(target) && isFile(target) ? displayPath(target, cwd) : undefined;
    },
  };
}

/**
 * The project file of the project holding `path`: `lssd.project` next to the project's `.lssd/`
 * (runtime/paths.ts `defaultRoot`: the nearest directory with a package.json or a .lssd), as the
 * compiler's `project` option wants it.
 */
export function projectFileFor(path: string, cwd = process.cwd()): string {
  return displayPath(join(dirname(defaultRoot(resolve(cwd, path))), PROJECT_FILE), cwd);
}

/**
 * The host plus CompilerHost.catalogTitles (runtime/catalog-listing.ts, loaded here on demand: it
 * pulls in the synthetic planner and the catalog reader, which a plain `check` never needs).
 * @param root the `.lssd` directory whose catalogs/ holds indexed libraries.
 */
export async function withCatalogTitles(host: CompilerHost, root: string): Promise<CompilerHost> {
  const { catalogLister } = await import('./catalog-listing.ts');
  return { ...host, catalogTitles: catalogLister(root) };
}
