// `node --import ./test/build/record-imports.mjs …`: appends every module the process loads to the file
// named by LSSD_IMPORT_LOG — ES modules as the loader resolves them (a hook on its own thread writes
// each URL synchronously), CommonJS modules from require's cache when the process exits.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const log = process.env.LSSD_IMPORT_LOG;
if (!log) throw new Error('record-imports.mjs: set LSSD_IMPORT_LOG to the log file');
register('./record-imports-hooks.mjs', import.meta.url, { data: { log } });
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => appendFileSync(log, Object.keys(cache).map((p) => pathToFileURL(p).href + '\n').join('')));
