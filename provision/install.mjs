#!/usr/bin/env node
// npm's postinstall for this checkout: provision the native TensorFlow backend (README.md in this folder).
// Exits 0 whatever happens, so `npm install` never fails because a native path failed; `--require-native`
// (CI) exits 1 when the result is wasm. `--json` prints the record instead of the summary line.
import { chmodSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { provision } from './provision.mjs';

const projectDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quiet = args.includes('--quiet');
const say = (s) => { if (!quiet) console.error(`lssd: ${s}`); };

// @ffprobe-installer ships its binary as 0744: only the installing user may run it, so a checkout
// installed by root (a CI image, a shared machine) cannot probe media for anyone else (spawn EACCES,
// every file skipped). Whoever may read a bundled binary may run it.
const require = createRequire(import.meta.url);
for (const pkg of ['@ffprobe-installer/ffprobe', '@ffmpeg-installer/ffmpeg']) {
  let path;
  try { path = require(pkg).path; } catch { continue; } // not installed for this platform: runtime/media says so when used
  try {
    const mode = statSync(path).mode & 0o7777;
    const want = mode | ((mode & 0o444) >> 2);
    if (want !== mode) { chmodSync(path, want); say(`made ${pkg}'s binary executable for every user who may read it (${mode.toString(8)} → ${want.toString(8)})`); }
  } catch (e) { say(`could not make ${path} executable for other users: ${e?.code ?? e}`); }
}

const rec = await provision({ projectDir, say }).catch((e) => ({ backend: 'wasm', message: `lssd: provisioning crashed: ${e?.stack ?? e}`, attempts: [] }));
if (args.includes('--json')) console.log(JSON.stringify(rec, null, 2));
else if (rec.backend === 'tensorflow') {
  const built = rec.attempts.find((a) => a.ok && a.built);
  console.error(`lssd: native backend ready: tensorflow (TF ${rec.tfVersion}, ${rec.flavor}${rec.gpuDevices?.length ? `, ${rec.gpuDevices.length} GPU` : ''}) ` +
    `from ${rec.entry ?? 'node_modules'}; ${built ? 'built' : 'linked'} in ${(rec.ms / 1000).toFixed(1)} s`);
} else console.error(rec.message);
process.exit(args.includes('--require-native') && rec.backend !== 'tensorflow' ? 1 : 0);
