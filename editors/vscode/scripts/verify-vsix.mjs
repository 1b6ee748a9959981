#!/usr/bin/env node
// Checks a built .vsix (a zip): the manifest declares the lssd language and grammar, every file the
// manifest names is inside, the grammar is the repo's, and the bundled client starts `lssdc lsp`.
//   node scripts/verify-vsix.mjs [lssd.vsix]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yauzl from 'yauzl';

const here = fileURLToPath(new URL('..', import.meta.url));
const file = process.argv[2] ?? `${here}lssd.vsix`;

const entries = await new Promise((resolve, reject) => {
  yauzl.open(file, { lazyEntries: true }, (err, zip) => {
    if (err) return reject(err);
    const out = new Map();
    zip.on('entry', (e) => {
      zip.openReadStream(e, (err2, s) => {
        if (err2) return reject(err2);
        const chunks = [];
        s.on('data', (c) => chunks.push(c));
        s.on('end', () => { out.set(e.fileName, Buffer.concat(chunks)); zip.readEntry(); });
      });
    });
    zip.on('end', () => resolve(out));
    zip.on('error', reject);
    zip.readEntry();
  });
});

const fail = (msg) => { process.stderr.write(`verify-vsix: ${file}: ${msg}\n`); process.exit(1); };
const text = (name) => { const b = entries.get(name); if (!b) fail(`missing ${name} (has: ${[...entries.keys()].join(', ')})`); return b.toString('utf8'); };

const pkg = JSON.parse(text('extension/package.json'));
const lang = pkg.contributes?.languages?.find((l) => l.id === 'lssd');
if (!lang || !lang.extensions.includes('.lssd')) fail('package.json does not contribute the lssd language for .lssd');
const grammar = pkg.contributes?.grammars?.find((g) => g.language === 'lssd');
if (!grammar || grammar.scopeName !== 'source.lssd') fail('package.json does not contribute the source.lssd grammar');
const inZip = (p) => `extension/${p.replace(/^\.\//, '')}`;
for (const p of [pkg.main, lang.configuration, grammar.path]) text(inZip(p));
if (text(inZip(grammar.path)) !== readFileSync(`${here}syntaxes/lssd.tmLanguage.json`, 'utf8')) fail('the packaged grammar differs from syntaxes/lssd.tmLanguage.json');
JSON.parse(text(inZip(lang.configuration)));
const client = text(inZip(pkg.main));
for (const needle of ['lssd.server.path', 'node_modules', 'lssdc', 'lsp']) if (!client.includes(needle)) fail(`the client bundle does not mention '${needle}'`);
if (/require\(["']vscode-languageclient/.test(client)) fail('vscode-languageclient is not bundled into the client');
if ([...entries.keys()].some((k) => k.startsWith('extension/node_modules/') || k.startsWith('extension/src/'))) fail('node_modules or src/ packaged');
process.stdout.write(`verify-vsix: ${file}: ok (${entries.size} entries, client ${client.length} bytes)\n`);
