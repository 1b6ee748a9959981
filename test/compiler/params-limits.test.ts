// Block counts in a backbone config are bounded (compiler/params.ts MAX_BLOCKS): `depth = 1e308` made
// lowering loop for ever (compile fuzz campaign case 95,632, test/fixtures/fuzz-crashes/compile-lower-depth-hang).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, MAX_BLOCKS, countBackbone, type BackboneLike } from '../../compiler/params.ts';

const audio = (family: BackboneLike['family'], config: BackboneLike['config']): BackboneLike => ({ name: 'b', modality: 'audio', family, output_dim: 16, config });
const patch = (depth: number) => audio('patch_transformer', { patch: [11, 16], dim: 16, depth, heads: 2, mlp_ratio: 2 });
const input = [99, 64];

test('a block count beyond MAX_BLOCKS, fractional or negative is a ConfigError naming its key, at once', () => {
  const cases: [BackboneLike, string][] = [
    [patch(1e308), 'depth'], [patch(MAX_BLOCKS + 1), 'depth'], [patch(2.5), 'depth'], [patch(-1), 'depth'],
    [audio('patch_mlp', { patch: [11, 16], dim: 16, depth: 1e12, mlp_ratio: 2 }), 'depth'],
    [audio('resnet', { layers: [3, 1e308, 6, 3], width: 8 }), 'layers'],
    [{ ...audio('x3d', { depth_factor: 1e300 }), modality: 'video' }, 'depth_factor'],
    [audio('mvit', { depth: 1e308 }), 'depth'],
  ];
  const t0 = Date.now();
  for (const [b, key] of cases) {
    assert.throws(() => countBackbone(b, b.modality === 'video' ? [8, 32, 32, 3] : input), (e: unknown) => e instanceof ConfigError && e.key === key, `${b.family} ${key}`);
  }
  assert.ok(Date.now() - t0 < 2000, 'refused without walking the blocks');
});

test('MAX_BLOCKS blocks are still counted (the bound refuses nothing trainable)', () => {
  const one = countBackbone(patch(1), input), many = countBackbone(patch(MAX_BLOCKS), input), none = countBackbone(patch(0), input);
  assert.equal(many.params - none.params, MAX_BLOCKS * (one.params - none.params));
});
