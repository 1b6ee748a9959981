#!/usr/bin/env node
// npm's postinstall for this checkout: provision the native TensorFlow backend (README.md in this folder).
// Exits 0 whatever happens, so `npm install` never fails because a native path failed; `--require-native`
// (CI) exits 1 when the result is wasm. `--json` prints the record instead of the summary line.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { provision } from './provision.mjs';

const projectDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quiet = args.includes('--quiet');
const say = (s) => { if (!quiet) console.error(`lssd: ${s}`); };

const rec = await provision({ projectDir, say }).catch((e) => ({ backend: 'wasm', message: `lssd: provisioning crashed: ${e?.stack ?? e}`, attempts: [] }));
if (args.includes('--json')) console.log(JSON.stringify(rec, null, 2));
else if (rec.backend === 'tensorflow') {
  const built = rec.attempts.find((a) => a.ok && a.built);
  console.error(`lssd: native backend ready: tensorflow (TF ${rec.tfVersion}, ${rec.flavor}${rec.gpuDevices?.length ? `, ${rec.gpuDevices.length} GPU` : ''}) ` +
    `from ${rec.entry ?? 'node_modules'}; ${built ? 'built' : 'linked'} in ${(rec.ms / 1000).toFixed(1)} s`);
} else console.error(rec.message);
process.exit(args.includes('--require-native') && rec.backend !== 'tensorflow' ? 1 : 0);
