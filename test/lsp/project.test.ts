// `lssdc lsp` in a project with an lssd.project: documents compile as `lssdc check` compiles them
// there (the project's profile applies) and the bound catalog is measured (LSSD2057).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HoverRequest, type MarkupContent } from 'vscode-languageserver-protocol/node.js';
import { M } from '../../compiler/messages.ts';
import { startClient, uriOf } from './client.ts';

test('a project file\'s profile and catalog feasibility reach the editor', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lssd-lsp-project-'));
  writeFileSync(join(root, 'lssd.project'), 'project lab {\n  profile = cpu\n}\n');
  const text = 'import "paper"\n\nexperiment x extends paper_main {\n  label = "x"\n}\n';
  writeFileSync(join(root, 'x.lssd'), text);
  const c = await startClient({ root });
  try {
    const uri = uriOf('x.lssd', root);
    c.open(uri, text);
    // As in `lssdc check`, the report sits where the catalog is set: the profile's stand-in.
    const at = uriOf('stdlib/profiles.lssd');
    const ds = await c.diagnostics(at, (d) => d.length > 0, 60000);
    const info = ds.find((d) => d.code === M.catalogBinding.code);
    assert.ok(info, JSON.stringify(ds));
    assert.match(info.message, /profile cpu's stand-in for 'paper-movies-episodes'/);
    assert.match(info.message, /of 24 titles/);
    assert.equal(info.severity, 3);
    assert.ok(info.relatedInformation?.some((r) => r.location.uri === uriOf('stdlib/paper.lssd')), JSON.stringify(info));
    assert.deepEqual(await c.diagnostics(uri), []);
    const h = await c.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 2, character: 11 } });
    assert.match((h!.contents as MarkupContent).value, /data: synthetic \(24 titles/);
  } finally { await c.close(); }
});
