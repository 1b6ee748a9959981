// Golden-file helper: compare with the committed baseline; LSSD_UPDATE_GOLDEN=1 rewrites it.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function golden(path: string, actual: string) {
  if (process.env.LSSD_UPDATE_GOLDEN) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `missing baseline ${path}; run LSSD_UPDATE_GOLDEN=1 npm test -- compiler`);
  assert.equal(actual, readFileSync(path, 'utf8'), `${path} differs (LSSD_UPDATE_GOLDEN=1 npm test -- compiler accepts the new output)`);
}
