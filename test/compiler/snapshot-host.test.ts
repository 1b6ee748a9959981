// compiler/host.ts snapshotHost: one command's run over many files reads each file and resolves each
// import once (check's checkFiles reads through it), with the same diagnostics as the plain host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompilerHost } from '../../compiler/host.ts';
import { snapshotHost } from '../../compiler/host.ts';
import { checkFiles } from '../../cli/commands/check.ts';
import { nodeHost } from '../../runtime/host.ts';

const FILES: Record<string, string> = {
  'a.lssd': 'import "paper"\nexperiment a extends paper_main { optim.seed = 1 }\n',
  'b.lssd': 'import "paper"\nimport "./a.lssd"\nexperiment b extends a { optim.seed = 2 }\n',
  'c.lssd': 'import "./missing.lssd"\nexperiment c extends paper_main {}\n',
};

/** The node host for the stdlib, FILES in memory; counts every call by kind and argument. */
function counting(): { host: CompilerHost; calls: Map<string, number> } {
  const base = nodeHost();
  const calls = new Map<string, number>();
  const count = (k: string) => calls.set(k, (calls.get(k) ?? 0) + 1);
  const host: CompilerHost = {
    ...base,
    readFile: (p) => { count(`read ${p}`); return p in FILES ? FILES[p] : base.readFile(p); },
    resolveImport: (spec, from) => { count(`resolve ${spec} ${from}`); return spec.startsWith('./') ? (spec.slice(2) in FILES ? spec.slice(2) : undefined) : base.resolveImport(spec, from); },
    checkImport: (target, from) => { count(`policy ${target} ${from}`); return base.checkImport!(target, from); },
  };
  return { host, calls };
}

test('snapshotHost answers each question once, missing files included', () => {
  const { host, calls } = counting();
  const s = snapshotHost(host);
  assert.equal(s.readFile('a.lssd'), FILES['a.lssd']);
  assert.equal(s.readFile('a.lssd'), FILES['a.lssd']);
  assert.equal(s.readFile('nope.lssd'), undefined);
  assert.equal(s.readFile('nope.lssd'), undefined);
  assert.equal(s.resolveImport('./a.lssd', 'b.lssd'), 'a.lssd');
  assert.equal(s.resolveImport('./a.lssd', 'b.lssd'), 'a.lssd');
  assert.equal(s.resolveImport('./a.lssd', 'c.lssd'), 'a.lssd'); // another importer: asked again
  assert.deepEqual(Object.fromEntries(calls), { 'read a.lssd': 1, 'read nope.lssd': 1, 'resolve ./a.lssd b.lssd': 1, 'resolve ./a.lssd c.lssd': 1 });
  assert.equal(s.stdlibDir, host.stdlibDir);
});

test('checkFiles reads the shared stdlib once and reports what the plain host reports', () => {
  const files = Object.keys(FILES);
  const plain = counting();
  const want = files.flatMap((f) => checkFiles([f], () => ({ project: false }), plain.host).diagnostics);
  const snap = counting();
  const got = checkFiles(files, () => ({ project: false }), snap.host);
  assert.deepEqual(got.diagnostics.map((d) => [d.code, d.span?.file, d.span?.start.offset, d.message]),
    want.map((d) => [d.code, d.span?.file, d.span?.start.offset, d.message]));
  assert.ok(got.diagnostics.some((d) => d.message.includes('missing.lssd')), 'the missing import is reported');
  assert.equal(got.programs.filter((p) => p.program).length, 3);
  const reads = [...snap.calls].filter(([k]) => k.startsWith('read '));
  assert.ok(reads.length > 3, 'the stdlib is read too');
  for (const [k, n] of snap.calls) assert.equal(n, 1, `${k} asked ${n} times`);
  // Without the snapshot every file re-read paper.lssd.
  const paperReads = [...plain.calls].filter(([k]) => k.startsWith('read ') && k.endsWith('paper.lssd')).map(([, n]) => n);
  assert.ok(paperReads.length === 1 && paperReads[0] >= 2, `plain host read paper.lssd ${paperReads} times`);
});
