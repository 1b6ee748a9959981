// Every failure a fuzz campaign (bench/fuzz.ts) ever found, minimised and saved under
// test/fixtures/fuzz-crashes/, replayed against the oracle it broke: each must pass now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeHost } from '../../runtime/host.ts';
import { checkCase, checkFmt } from './oracle.ts';
import { CORPUS_DIR, cliCase, corpusText, victimPath, type CorpusEntry } from './targets.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const files = readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.json')).sort();
const entries = files.map((f) => { const e = JSON.parse(readFileSync(join(CORPUS_DIR, f), 'utf8')) as CorpusEntry; return { f, e: { ...e, text: corpusText(e) } }; });

test('the crash corpus is not empty and every entry names what it broke', () => {
  assert.ok(entries.length > 0);
  for (const { f, e } of entries) {
    assert.ok(['compile', 'fmt', 'cli', 'index'].includes(e.mode), `${f}: mode ${e.mode}`);
    assert.ok(e.property && e.detail, `${f}: property and detail`);
  }
});

const base = nodeHost({ cwd: root });
for (const { f, e } of entries.filter((x) => x.e.mode === 'compile' || x.e.mode === 'fmt')) {
  test(`fuzz corpus ${f} (${e.property})`, () => {
    const fails = e.mode === 'fmt' ? checkFmt(e.victim, e.text) : checkCase(e, base, victimPath(e.victim, base.stdlibDir));
    assert.deepEqual(fails, [], `${f} (was: ${e.detail.slice(0, 200)})`);
  });
}

const cli = entries.filter((x) => x.e.mode === 'cli');
if (cli.length) {
  test(`fuzz corpus: ${cli.length} CLI cases`, { timeout: 300_000 }, () => {
    const tmp = mkdtempSync(join(tmpdir(), 'lssd-fuzz-corpus-'));
    try {
      for (const { f, e } of cli) assert.deepEqual(cliCase({ root, tmp, victim: e.victim, text: e.text, command: e.command!, sources: true }), [], f);
    } finally { rmSync(tmp, { recursive: true, force: true }); }
  });
}
