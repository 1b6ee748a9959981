// Registers tfjs-core's gradient functions. The tfjs union package does this; tfjs-core's CommonJS
// entry (what Node loads) does not, and its ESM `register_all_gradients.js` cannot be imported by Node
// (extensionless and directory imports). The per-op `dist/gradients/*_grad.js` modules can (tsx
// resolves their extensionless imports); their gradient functions call ops that dispatch through the
// one global engine (`globalThis._tfengine`), so registering them on the CJS side is sound — the
// gradient self-test (selftest.ts) checks the result against finite differences before each run.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { register } from 'tsx/esm/api';

const require = createRequire(import.meta.url);
const gradDir = join(dirname(require.resolve('@tensorflow/tfjs-core/package.json')), 'dist', 'gradients');
// The compiled CLI (build/) runs without tsx's loader, and Node alone cannot resolve these files'
// extensionless imports: register the loader here when it is not active (`check` never gets here).
if (!import.meta.resolve(pathToFileURL(join(gradDir, '..', 'kernel_names')).href).endsWith('.js')) register();

let registered = 0;
const skipped: string[] = [];
for (const file of readdirSync(gradDir).filter((f) => f.endsWith('_grad.js')).sort()) {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(join(gradDir, file)).href)) as Record<string, unknown>;
  } catch {
    // Prod_grad.js imports '../base' (a directory/file clash Node cannot resolve); we use no Prod.
    skipped.push(file);
    continue;
  }
  for (const v of Object.values(mod)) {
    const cfg = v as tf.GradConfig;
    if (cfg && typeof cfg === 'object' && typeof cfg.kernelName === 'string' && typeof cfg.gradFunc === 'function') {
      tf.registerGradient(cfg);
      registered++;
    }
  }
}

/** Gradient configs registered, and the files that could not be loaded (for diagnostics/tests). */
export const gradientCount = registered;
export const gradientsSkipped: readonly string[] = skipped;
