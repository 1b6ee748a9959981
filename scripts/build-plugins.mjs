// esbuild plugins for scripts/build.mjs (also used by test/build/precompiled.test.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

/**
 * Rewrites `import.meta.url` in each first-party source to the URL of that source file, seen from
 * `outdir`. Every output file (entries and chunks) sits directly in `outdir`, so one relative path fits.
 */
/** esbuild options of the CommonJS bundles (the compile-only bundle and the snapshot entry): one Node 20 file, packages external. */
export const CJS_BUNDLE = { bundle: true, format: 'cjs', platform: 'node', target: 'node20', packages: 'external', metafile: true, logLevel: 'warning' };

export const sourceUrlPlugin = (outdir, cjs = undefined) => ({
  name: 'lssd-source-url',
  setup(b) {
    // A CommonJS bundle has no import.meta: its own URL comes from __filename.
    const self = cjs ? 'require("node:url").pathToFileURL(__filename)' : 'import.meta.url';
    b.onLoad({ filter: /\.(ts|tsx|mts)$/ }, (a) => {
      if (a.path.includes(`${sep}node_modules${sep}`)) return undefined;
      let text = readFileSync(a.path, 'utf8');
      if (cjs && a.path.endsWith(`${sep}grammar${sep}tokens.ts`)) text = staticChevrotain(a.path, text);
      else if (cjs && a.path.endsWith(`${sep}cli${sep}main.ts`)) text = onlyCommands(a.path, text, cjs.commands);
      else if (!text.includes('import.meta.url')) return undefined;
      const rel = relative(outdir, a.path).split(sep).join('/');
      const contents = text.replace(/\bimport\.meta\.url\b/g, `new URL(${JSON.stringify(rel)}, ${self}).href`);
      return { contents, loader: a.path.endsWith('x') ? 'tsx' : 'ts' };
    });
  },
});

/**
 * cli/main.ts imports a command by a pattern (`./commands/${name}.ts`), which bundles every command; the
 * compile-only bundle holds only `commands` (bin/lssdc.js sends no other command there).
 */
function onlyCommands(path, text, commands) {
  const glob = 'const mod = await import(`./commands/${name}.ts`);';
  if (!text.includes(glob)) throw new Error(`build: ${path} no longer imports commands as scripts/build-plugins.mjs expects (onlyCommands)`);
  const table = commands.map((c) => `${JSON.stringify(c)}: () => import(${JSON.stringify(`./commands/${c}.ts`)})`).join(', ');
  return text.replace(glob, `const only: Record<string, () => Promise<{ command: Command }>> = { ${table} };
  if (!Object.hasOwn(only, name)) throw new Error(\`'\${name}' is not in build/compile.cjs (bin/lssdc.js runs it from build/main.js)\`);
  const mod = await only[name]();`);
}

/**
 * grammar/tokens.ts loads chevrotain's one-file build with a top-level `await import(…)`, which a
 * CommonJS bundle cannot hold: there the same file is imported statically and bundled in.
 */
function staticChevrotain(path, text) {
  const dynamic = /^const chevrotainEntry = .*\n^const chevrotain = \(await import\(.*$/m;
  if (!dynamic.test(text)) throw new Error(`build: ${path} no longer loads chevrotain as scripts/build-plugins.mjs expects (staticChevrotain)`);
  const bundled = join(dirname(createRequire(path).resolve('chevrotain')), '..', 'chevrotain.mjs'); // …/chevrotain/lib/chevrotain.mjs
  return text.replace(dynamic, `import * as chevrotain from ${JSON.stringify(bundled)};`);
}

/** Must equal compiler/spec-validator.ts's AJV_OPTIONS (test/build/precompiled.test.ts checks). */
export const AJV_OPTIONS = { allErrors: true, strict: false, inlineRefs: false };

const PROBE_ID = 'lssd:spec/probe';
const sectionId = (key) => `lssd:spec/${key}`;

/** Copy of compiler/spec-validator.ts's splitSpecSchema (plain JS for the build; the test checks they agree). */
export function splitSpecSchema(whole) {
  const props = whole.properties ?? {};
  const parts = [];
  const root = { ...whole, properties: {} };
  for (const [key, sub] of Object.entries(props)) {
    let part = { ...sub };
    if (key === 'probes' && sub.items) {
      parts.push({ $id: PROBE_ID, ...sub.items });
      part = { ...sub, items: { $ref: PROBE_ID } };
    }
    parts.push({ $id: sectionId(key), ...part });
    root.properties[key] = { $ref: sectionId(key) };
  }
  return { root, parts };
}

/** ajv's standalone ES module for compiler/spec.schema.json, exporting `specValidators()` and `specValidator()` like the source. */
export function specValidatorModule(root) {
  const require = createRequire(join(root, 'package.json'));
  const Ajv = require('ajv').default;
  const standalone = require('ajv/dist/standalone').default;
  const schema = JSON.parse(readFileSync(join(root, 'compiler/spec.schema.json'), 'utf8'));
  const { root: whole, parts } = splitSpecSchema(schema);
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true } });
  for (const p of parts) ajv.addSchema(p);
  const wholeId = whole.$id ?? 'lssd:spec';
  ajv.addSchema({ ...whole, $id: wholeId });
  const keys = Object.keys(schema.properties ?? {});
  const exports = { spec: wholeId, probe: PROBE_ID, ...Object.fromEntries(keys.map((k, i) => [`section${i}`, sectionId(k)])) };
  const code = standalone(ajv, exports);
  return `${code}
export const AJV_OPTIONS = ${JSON.stringify(AJV_OPTIONS)};
export const PROBE_ID = ${JSON.stringify(PROBE_ID)};
export const sectionId = (key) => \`lssd:spec/\${key}\`;
const KEYS = ${JSON.stringify(keys)};
const validators = { spec, probe, keys: KEYS, sections: { ${keys.map((k, i) => `${JSON.stringify(k)}: section${i}`).join(', ')} } };
export const specValidators = () => validators;
export const specValidator = () => spec;
`;
}

let grammarChecked = false;

/**
 * Runs chevrotain's self-checks of the grammar once, at build time: bundles grammar/ as the sources
 * have it (checks on) into `scratch` (a folder inside the checkout, so chevrotain resolves) and
 * parses a line, which builds the lexer and the parser. Throws what chevrotain reports.
 */
export async function validateGrammar(root, scratch) {
  const outfile = join(scratch, 'grammar-check.mjs');
  await esbuild.build({
    absWorkingDir: root, entryPoints: [join(root, 'grammar/index.ts')], outfile, bundle: true, format: 'esm',
    platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning', plugins: [sourceUrlPlugin(scratch)],
  });
  const { parse, plainSpans } = await import(pathToFileURL(outfile).href);
  const r = parse({ name: 'grammar-check.lssd', text: 'experiment x extends y { a.b = 1 }\n' });
  if (!r.value) throw new Error('grammar check: the parser returned no AST');
  grammarChecked = true;
  preparsedTable = preparse(root, parse, plainSpans);
}

let preparsedTable;
/** Must equal compiler/preparsed.ts's NAME_MARK (test/build/precompiled.test.ts checks). */
export const NAME_MARK = '\u0000lssd-file\u0000';

/**
 * The stdlib's files parsed now, for compiler/preparsed.ts: text → AST JSON with NAME_MARK for the file
 * name and `source` null. A file is admitted only when it parses without a diagnostic, no AST node is
 * reachable twice (JSON would copy it), and the AST rebuilt the way preparsed() does, under another
 * name, deep-equals that file parsed under that name; else the build fails, naming the file.
 */
export function preparse(root, parse, plainSpans) {
  const dir = join(root, 'stdlib');
  const table = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.lssd')).sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    const r = parse({ name: NAME_MARK, text });
    if (r.diagnostics.length) throw new Error(`build: stdlib/${f} has syntax diagnostics (${r.diagnostics[0].message}); the stdlib must parse cleanly`);
    const nodes = new Set();
    (function walk(v) {
      if (v === null || typeof v !== 'object') return;
      if (!Array.isArray(v) && typeof v.kind === 'string') {
        if (nodes.has(v)) throw new Error(`build: stdlib/${f}: an AST node (${v.kind}) is reachable twice; compiler/preparsed.ts would copy it`);
        nodes.add(v);
      }
      for (const [k, x] of Object.entries(v)) if (k !== 'source') walk(x);
    })(r.value);
    const json = JSON.stringify({ ...r.value, source: null });
    const other = { name: 'stdlib/other name "quoted".lssd', text };
    const rebuilt = JSON.parse(json.split(JSON.stringify(NAME_MARK)).join(JSON.stringify(other.name)));
    rebuilt.source = other;
    // The parser's spans are SourceSpan objects; JSON.parse gives the plain shape (same reads, same JSON).
    if (!isDeepStrictEqual(rebuilt, plainSpans(parse(other).value))) throw new Error(`build: stdlib/${f}: its AST does not survive JSON (compiler/preparsed.ts)`);
    table.push([text, json]);
  }
  return table;
}

const preparsedModule = () => {
  if (!preparsedTable) throw new Error('build: compiler/preparsed.ts is generated only after validateGrammar() parsed the stdlib');
  const src = readFileSync(new URL('../compiler/preparsed.ts', import.meta.url), 'utf8');
  const mark = /^export const PREPARSED: ReadonlyMap<string, string> = new Map\(\);$/m;
  if (!mark.test(src)) throw new Error('build: compiler/preparsed.ts no longer declares PREPARSED as scripts/build-plugins.mjs expects');
  return src.replace(mark, `export const PREPARSED: ReadonlyMap<string, string> = new Map(${JSON.stringify(preparsedTable)});`);
};

const validatedModule = () => {
  if (!grammarChecked) throw new Error('build: grammar/validated.ts is generated only after validateGrammar() passed');
  return 'export const GRAMMAR_VALIDATED = true;\n';
};

/**
 * Modules the build replaces with code generated at build time, and the files that code is made from
 * (they go into the build stamp, so a schema edit or an ajv upgrade makes the build stale).
 */
export const PRECOMPILED = {
  'compiler/spec-validator.ts': { inputs: ['compiler/spec.schema.json', 'node_modules/ajv/package.json'], generate: specValidatorModule },
  // chevrotain's checks ran at build time (validateGrammar); the grammar sources are bundled inputs.
  'grammar/validated.ts': { inputs: ['node_modules/chevrotain/package.json'], generate: validatedModule },
  // The stdlib's ASTs by exact text: an edited stdlib file misses the table (and is parsed), so the
  // stdlib is no input of the build.
  'compiler/preparsed.ts': { inputs: [], generate: preparsedModule, loader: 'ts' },
};

/**
 * Serves PRECOMPILED modules, and bundles the ajv runtime helpers the standalone code `require`s
 * (`ajv/dist/runtime/*`: a require of an external package would not run in an ES module).
 */
export const precompiledPlugin = (root) => ({
  name: 'lssd-precompiled',
  setup(b) {
    const require = createRequire(join(root, 'package.json'));
    b.onResolve({ filter: /^ajv\/dist\/runtime\// }, (a) => ({ path: require.resolve(a.path) }));
    b.onLoad({ filter: /\.ts$/ }, (a) => {
      const rel = relative(root, a.path).split(sep).join('/');
      const p = PRECOMPILED[rel];
      return p ? { contents: p.generate(root), loader: p.loader ?? 'js', resolveDir: join(root, 'compiler') } : undefined;
    });
  },
});
