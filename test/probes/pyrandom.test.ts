// CPython's random module, reproduced bit for bit: the expected values were printed by Python 3.11
// (`random.Random(s).getrandbits(32)`, `random.shuffle`) — the kit's grid draw and embedding order depend on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PyRandom } from '../../runtime/probes/pyrandom.ts';

test('MT19937 seeded like random.seed(int), including seeds wider than 32 bits', () => {
  const r = new PyRandom(42);
  assert.deepEqual([r.uint32(), r.uint32(), r.uint32()], [2746317213, 478163327, 107420369]);
  assert.equal(new PyRandom(2 ** 40 + 5).uint32(), 2166296868);
});

test('random.shuffle: one generator shuffling several lists in turn', () => {
  assert.deepEqual(new PyRandom(42).shuffle([...Array(16).keys()]), [7, 9, 5, 6, 14, 10, 12, 8, 1, 2, 13, 15, 4, 11, 0, 3]);
  const z = new PyRandom(0);
  assert.deepEqual(z.shuffle([...Array(10).keys()]), [7, 8, 1, 5, 3, 4, 2, 0, 9, 6]);
  assert.deepEqual(z.shuffle([...Array(7).keys()]), [6, 0, 3, 5, 1, 4, 2]);
});
