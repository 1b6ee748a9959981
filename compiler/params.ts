// Analytic parameter and FLOP counts for every backbone family, per resolved config and input shape.
// Pure (no tfjs): `lssdc show --params` and lowering use it; test/train checks it against the variables
// the runtime actually builds (runtime/train/models) and against published figures.
//
// Family configs (keys of BackboneSpec.config; anything missing is taken from the family defaults below,
// chosen by `config.preset` or else by the backbone name's prefix):
//
//   patch_transformer  patch: number[] (video [t,h,w] tubelet, audio [frames,mels]), dim, depth, heads,
//                      mlp_ratio.  Tokens = ∏ floor(input/patch); learned position table; pre-norm
//                      blocks (LN → MHSA → +, LN → MLP(ReLU) → +); final LN; mean pool over tokens.
//   patch_mlp          patch, dim, depth, mlp_ratio: the same without attention (per-token residual MLPs).
//   mvit               version (1 | 2), embed_dim, depth, num_heads, mlp_ratio, patch_kernel, patch_stride,
//                      stage_layers (layers where width and heads double), pool_kernel, pool_q_stride,
//                      pool_kv_stride (adaptive, divided by each q stride), cls_token, abs_pos
//                      ('separate' | 'joint' | 'none'), rel_pos (v2), dim_mul_in_att (v2),
//                      pool_q_all_layers (v2), reference_classes.  Video: 3-D over [T,H,W];
//                      audio (the paper's "slight modification"): 2-D over [frames, mels].
//   x3d                width_factor, depth_factor, bottleneck_factor, dim_c1, se_ratio, fc_dim, t_kernel,
//                      reference_classes (X3D, Feichtenhofer 2020; pyslowfast layout).
//   resnet             layers ([3,4,6,3] = ResNet-50), width, in_channels, reference_classes,
//                      reference_in_channels: bottleneck ResNet over a 2-D [frames, mels, 1] input.
//
// Whenever a family's natural output width differs from the spec's output_dim, a final linear layer
// (with bias) maps it to output_dim.
//
// Published counts compared (test/train/params.test.ts): each is the *reference variant* of the paper
// that published it, i.e. with its classifier and input channels, computed by the same functions:
//   MViT-S 16x4  (Fan et al. 2021, Table 2, K400):   26.1M  (version 1, depth 10, 400 classes; ours 25.93M)
//   MViT-B 16x4  (Fan et al. 2021, Table 2, K400):   36.6M  (version 1, depth 16, 400 classes)
//   MViTv2-S 16x4 (Li et al. 2022, Table 3, K400):   34.5M  (version 2, 400 classes)
//   X3D-M        (Feichtenhofer 2020, Table 4, K400): 3.8M  (400 classes, fc 2048)
//   ResNet-50    (He et al. 2016; torchvision):      25.6M  (RGB input, 1000 classes); the acoustic
//                variant we train differs by a 1-channel stem and no classifier (≈23.5M).

export type Family = 'mvit' | 'x3d' | 'resnet' | 'patch_mlp' | 'patch_transformer';
export type Config = Record<string, number | string | boolean | number[]>;

export interface BackboneLike {
  name: string;
  modality: 'video' | 'audio';
  family: Family;
  output_dim: number;
  config: Config;
}

export interface Count {
  params: number;
  /** Forward FLOPs per example (2 × multiply-accumulates of matmuls/convs/attention). */
  flops: number;
  /** Activation floats per example kept for backward (rough). */
  activations: number;
  /** Natural width before any output projection. */
  width: number;
}

// MViTv1 (Fan et al. 2021; pyslowfast MVIT_B_16x4_CONV): conv patch embedding 3x7x7 / 2x4x4, a class
// token, separate space/time position tables, width and heads doubling at the first layer of scales 2-4,
// query pooling only there (stride 1x2x2), key/value pooling in every layer (adaptive stride from 1x8x8),
// pooling kernel 3x3x3. MViT-B: 16 layers, scales of 1, 2, 11, 2; MViT-S: 10 layers, scales of 1, 2, 5, 2.
const MVIT_B: Config = {
  version: 1, embed_dim: 96, depth: 16, num_heads: 1, mlp_ratio: 4,
  patch_kernel: [3, 7, 7], patch_stride: [2, 4, 4], stage_layers: [1, 3, 14],
  pool_kernel: [3, 3, 3], pool_q_stride: [1, 2, 2], pool_kv_stride: [1, 8, 8],
  cls_token: true, abs_pos: 'separate', rel_pos: false, dim_mul_in_att: false, pool_q_all_layers: false,
  reference_classes: 400,
};
const MVIT_S: Config = { ...MVIT_B, depth: 10, stage_layers: [1, 3, 8] };
// MViTv2-S (Li et al. 2022): 16 layers, no class token, decomposed relative positions, residual pooling,
// width doubling inside attention, query pooling in every layer.
const MVITV2_S: Config = {
  ...MVIT_B, version: 2, cls_token: false, abs_pos: 'none', rel_pos: true, dim_mul_in_att: true, pool_q_all_layers: true,
};
const X3D_M: Config = {
  width_factor: 2, depth_factor: 2.2, bottleneck_factor: 2.25, dim_c1: 12, se_ratio: 0.0625, fc_dim: 2048,
  t_kernel: 5, reference_classes: 400,
};
const RESNET50: Config = { layers: [3, 4, 6, 3], width: 64, in_channels: 1, reference_classes: 1000, reference_in_channels: 3 };
const PATCH_T: Config = { patch: [2, 16, 16], dim: 256, depth: 4, heads: 4, mlp_ratio: 4 };
const PATCH_M: Config = { patch: [2, 16, 16], dim: 256, depth: 4, mlp_ratio: 4 };

/** Family defaults, by preset name. */
export const PRESETS: Record<string, { family: Family; config: Config }> = {
  mvit_s: { family: 'mvit', config: MVIT_S },
  mvit_b: { family: 'mvit', config: MVIT_B },
  mvitv2_s: { family: 'mvit', config: MVITV2_S },
  mvit_s_audio: { family: 'mvit', config: { ...MVIT_S, patch_kernel: [7, 7], patch_stride: [4, 4], pool_kernel: [3, 3], pool_q_stride: [2, 2], pool_kv_stride: [8, 8], abs_pos: 'joint' } },
  mvit_b_audio: { family: 'mvit', config: { ...MVIT_B, patch_kernel: [7, 7], patch_stride: [4, 4], pool_kernel: [3, 3], pool_q_stride: [2, 2], pool_kv_stride: [8, 8], abs_pos: 'joint' } },
  x3d_m: { family: 'x3d', config: X3D_M },
  resnet50: { family: 'resnet', config: RESNET50 },
  resnet50_audio: { family: 'resnet', config: RESNET50 },
  patch_transformer: { family: 'patch_transformer', config: PATCH_T },
  patch_mlp: { family: 'patch_mlp', config: PATCH_M },
};

/** Keys each family understands (others are reported by lowering). */
export const FAMILY_KEYS: Record<Family, string[]> = {
  patch_transformer: ['preset', ...Object.keys(PATCH_T)],
  patch_mlp: ['preset', ...Object.keys(PATCH_M)],
  mvit: ['preset', ...Object.keys(MVIT_B)],
  x3d: ['preset', ...Object.keys(X3D_M)],
  resnet: ['preset', ...Object.keys(RESNET50)],
};

function defaultsFor(b: Pick<BackboneLike, 'name' | 'family' | 'modality' | 'config'>): Config {
  const named = typeof b.config.preset === 'string' ? PRESETS[b.config.preset] : undefined;
  if (named && named.family === b.family) return named.config;
  // Longest preset name that prefixes the backbone name and has the same family.
  const byName = Object.keys(PRESETS).filter((k) => b.name.startsWith(k) && PRESETS[k].family === b.family)
    .sort((x, y) => y.length - x.length)[0];
  if (byName) {
    const cfg = PRESETS[byName].config;
    if (b.family === 'mvit' && b.modality === 'audio' && !byName.endsWith('_audio')) return PRESETS[`${byName}_audio`]?.config ?? cfg;
    return cfg;
  }
  switch (b.family) {
    case 'mvit': return b.modality === 'audio' ? PRESETS.mvit_s_audio.config : MVIT_S;
    case 'x3d': return X3D_M;
    case 'resnet': return RESNET50;
    case 'patch_mlp': return b.modality === 'audio' ? { ...PATCH_M, patch: [8, 8] } : PATCH_M;
    case 'patch_transformer': return b.modality === 'audio' ? { ...PATCH_T, patch: [8, 8] } : PATCH_T;
  }
}

/**
 * The complete config: the spec's keys over the family defaults. X3D's lin_5 width (`fc_dim`) defaults
 * to the declared output_dim (the controlled setup's "1024-d representation per clip"), not to the
 * published 2048 (used only for the reference count).
 */
export function resolveConfig(b: Pick<BackboneLike, 'name' | 'family' | 'modality' | 'config'> & { output_dim?: number }): Config {
  const out: Config = { ...defaultsFor(b), ...b.config };
  if (b.family === 'x3d' && b.config.fc_dim === undefined && b.output_dim) out.fc_dim = b.output_dim;
  delete out.preset;
  return out;
}

const num = (c: Config, k: string): number => {
  const v = c[k];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(k, v, 'a number');
  return v;
};
const arr = (c: Config, k: string): number[] => {
  const v = c[k];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) throw new ConfigError(k, v, 'a list of numbers');
  return v;
};
const bool = (c: Config, k: string): boolean => {
  const v = c[k];
  if (typeof v !== 'boolean') throw new ConfigError(k, v, 'true or false');
  return v;
};
/**
 * The most blocks (layers) one stage or tower may have: far beyond anything trainable (the deepest
 * config here has 16) and few enough that the counts' per-block walks stay cheap. Found by the compile
 * fuzz campaign: `depth = 1e308` made lowering loop for ever.
 */
export const MAX_BLOCKS = 10_000;
/** A number of blocks: a whole number from 0 to MAX_BLOCKS. */
const blocks = (c: Config, k: string, v: number = num(c, k), what = 'a whole number of blocks'): number => {
  if (!Number.isInteger(v) || v < 0 || v > MAX_BLOCKS) throw new ConfigError(k, c[k], `${what} from 0 to ${MAX_BLOCKS.toLocaleString('en-US')}`);
  return v;
};
const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

export class ConfigError extends Error {
  constructor(readonly key: string, readonly value: unknown, readonly expected: string) {
    super(`config key '${key}' must be ${expected}, got ${JSON.stringify(value)}`);
  }
}

/** Spatial input of a tower: video [T,H,W,3] → dims [T,H,W], channels 3; audio [F,M] (mono) or [F,M,C] (pseudo-stereo: C = 2) → dims [F,M], channels 1 or C. */
export function splitInput(modality: 'video' | 'audio', input: number[]): { dims: number[]; channels: number } {
  return modality === 'video' ? { dims: input.slice(0, 3), channels: input[3] ?? 3 } : { dims: input.slice(0, 2), channels: input[2] ?? 1 };
}

const linear = (i: number, o: number) => i * o + o;
const ln = (d: number) => 2 * d;

/** Tokens of a patch family: ∏ floor(dim / patch) (a remainder at the end of an axis is cropped). */
export function patchGrid(dims: number[], patch: number[]): number[] {
  if (patch.length !== dims.length) throw new ConfigError('patch', patch, `a list of ${dims.length} sizes (one per input axis)`);
  return dims.map((d, i) => Math.floor(d / patch[i]));
}

function countPatch(family: 'patch_transformer' | 'patch_mlp', c: Config, dims: number[], channels: number): Count {
  const patch = arr(c, 'patch'), d = num(c, 'dim'), depth = blocks(c, 'depth'), ratio = num(c, 'mlp_ratio');
  const grid = patchGrid(dims, patch);
  const n = prod(grid);
  if (n < 1) throw new ConfigError('patch', patch, `no larger than the input ${JSON.stringify(dims)}`);
  const pIn = prod(patch) * channels, h = Math.round(d * ratio);
  let params = linear(pIn, d) + n * d, flops = 2 * n * pIn * d, acts = n * pIn + n * d;
  for (let i = 0; i < depth; i++) {
    params += ln(d) + linear(d, h) + linear(h, d) + ln(d);
    flops += 2 * n * (d * h + h * d);
    acts += n * (3 * d + 2 * h);
    if (family === 'patch_transformer') {
      const heads = num(c, 'heads');
      if (d % heads !== 0) throw new ConfigError('heads', heads, `a divisor of dim (${d})`);
      params += linear(d, 3 * d) + linear(d, d);
      flops += 2 * n * (3 * d * d + d * d) + 2 * 2 * n * n * d;
      acts += n * (5 * d) + 2 * heads * n * n;
    }
  }
  params += ln(d);
  return { params, flops, activations: acts, width: d };
}

const convOut = (s: number, k: number, stride: number) => Math.floor((s + 2 * Math.floor(k / 2) - k) / stride) + 1;

function countMvit(c: Config, dims: number[], channels: number, classes: number): Count {
  const v2 = num(c, 'version') >= 2;
  const E = num(c, 'embed_dim'), depth = blocks(c, 'depth'), ratio = num(c, 'mlp_ratio');
  const pk = arr(c, 'patch_kernel'), ps = arr(c, 'patch_stride'), stages = new Set(arr(c, 'stage_layers'));
  const pool = arr(c, 'pool_kernel'), qs = arr(c, 'pool_q_stride');
  let kvs = arr(c, 'pool_kv_stride').slice();
  const nd = dims.length;
  for (const [k, v] of [['patch_kernel', pk], ['patch_stride', ps], ['pool_kernel', pool], ['pool_q_stride', qs], ['pool_kv_stride', kvs]] as const)
    if (v.length !== nd) throw new ConfigError(k, v, `a list of ${nd} sizes (one per input axis)`);
  const cls = bool(c, 'cls_token'), absPos = String(c.abs_pos), relPos = v2 && bool(c, 'rel_pos');
  const inAtt = v2 && bool(c, 'dim_mul_in_att'), qAll = v2 && bool(c, 'pool_q_all_layers');
  let size = dims.map((s, i) => convOut(s, pk[i], ps[i]));
  let n = prod(size);
  let params = prod(pk) * channels * E + E, flops = 2 * n * prod(pk) * channels * E, acts = n * prod(pk) * channels;
  if (cls) params += E;
  if (absPos === 'separate' && nd === 3) params += prod(size.slice(1)) * E + size[0] * E + (cls ? E : 0);
  else if (absPos === 'joint' || absPos === 'separate') params += (n + (cls ? 1 : 0)) * E;
  let dim = E, heads = num(c, 'num_heads');
  for (let i = 0; i < depth; i++) {
    const stageHere = stages.has(i), stageNext = stages.has(i + 1);
    let dimOut: number, attDim: number, headsI: number;
    if (inAtt) { headsI = stageHere ? heads * 2 : heads; dimOut = stageHere ? dim * 2 : dim; attDim = dimOut; }
    else { headsI = stageHere ? heads * 2 : heads; dimOut = stageNext ? dim * 2 : dim; attDim = dim; }
    const qStride = stageHere ? qs : qs.map(() => 1);
    if (stageHere) kvs = kvs.map((s, j) => Math.max(1, Math.floor(s / qStride[j])));
    const headDim = attDim / headsI;
    const tokIn = prod(size) + (cls ? 1 : 0);
    const qSize = size.map((s, j) => convOut(s, pool[j], qStride[j]));
    const kvSize = size.map((s, j) => convOut(s, pool[j], kvs[j]));
    const nq = prod(qSize) + (cls ? 1 : 0), nkv = prod(kvSize) + (cls ? 1 : 0);
    params += ln(dim) + linear(dim, 3 * attDim) + linear(attDim, attDim);
    flops += 2 * tokIn * dim * 3 * attDim + 2 * nq * attDim * attDim + 2 * 2 * nq * nkv * attDim;
    const poolParams = prod(pool) * headDim + ln(headDim);
    const hasQPool = qAll || stageHere;
    params += 2 * poolParams + (hasQPool ? poolParams : 0);
    flops += 2 * headsI * prod(pool) * headDim * (prod(kvSize) * 2 + (hasQPool ? prod(qSize) : 0));
    if (relPos) {
      // pyslowfast: spatial tables [2·max(q,kv)−1, head_dim] per spatial axis, temporal [2·T−1, head_dim].
      if (nd === 3) {
        params += (2 * size[0] - 1) * headDim;
        for (const j of [1, 2]) params += (2 * Math.max(Math.floor(size[j] / qStride[j]), Math.floor(size[j] / kvs[j])) - 1) * headDim;
      } else {
        for (const j of [0, 1]) params += (2 * Math.max(Math.floor(size[j] / qStride[j]), Math.floor(size[j] / kvs[j])) - 1) * headDim;
      }
    }
    const hidden = Math.round(attDim * ratio);
    params += ln(attDim) + linear(attDim, hidden) + linear(hidden, dimOut);
    flops += 2 * nq * (attDim * hidden + hidden * dimOut);
    if (dim !== dimOut) { params += linear(dim, dimOut); flops += 2 * nq * dim * dimOut; }
    acts += tokIn * dim * 4 + nq * (hidden * 2 + dimOut * 3) + headsI * nq * nkv * 2;
    size = qSize; dim = dimOut; heads = headsI;
  }
  params += ln(dim);
  if (classes > 0) params += linear(dim, classes);
  return { params, flops, activations: acts, width: dim };
}

/** pyslowfast's round_width (min_depth = divisor = 8). */
export function roundWidth(width: number, multiplier: number, divisor = 8): number {
  width *= multiplier;
  let w = Math.max(divisor, Math.floor((width + divisor / 2) / divisor) * divisor);
  if (w < 0.9 * width) w += divisor;
  return w;
}

function countX3d(c: Config, dims: number[], channels: number, classes: number): Count {
  const wm = num(c, 'width_factor'), dm = num(c, 'depth_factor'), bf = num(c, 'bottleneck_factor');
  const c1 = num(c, 'dim_c1'), se = num(c, 'se_ratio'), fc = num(c, 'fc_dim'), tk = num(c, 't_kernel');
  const bn = (ch: number) => 2 * ch;
  let [T, H, W] = dims;
  const stem = roundWidth(c1, wm);
  H = convOut(H, 3, 2); W = convOut(W, 3, 2);
  let params = channels * stem * 9 + stem * tk + bn(stem);
  let flops = 2 * T * H * W * stem * (channels * 9 + tk), acts = T * H * W * stem * 3;
  let dimIn = stem;
  const basis = [[1, c1], [2, roundWidth(c1, 2)], [5, roundWidth(roundWidth(c1, 2), 2)], [3, roundWidth(roundWidth(roundWidth(c1, 2), 2), 2)]];
  for (const [reps, base] of basis) {
    const out = roundWidth(base, wm), inner = Math.floor(bf * out), n = blocks(c, 'depth_factor', Math.max(0, Math.ceil(dm * reps)), `a factor giving each stage (up to ${reps} × depth_factor blocks) a number of blocks`);
    for (let b = 0; b < n; b++) {
      const stride = b === 0 ? 2 : 1;
      const h2 = convOut(H, 3, stride), w2 = convOut(W, 3, stride), pos = T * H * W, pos2 = T * h2 * w2;
      if (b === 0 && (dimIn !== out || stride !== 1)) { params += dimIn * out + bn(out); flops += 2 * pos2 * dimIn * out; }
      params += dimIn * inner + bn(inner) + 27 * inner + bn(inner) + inner * out + bn(out);
      flops += 2 * (pos * dimIn * inner + pos2 * 27 * inner + pos2 * inner * out);
      if (se > 0 && (b + 1) % 2 === 1) { const f = roundWidth(inner, se); params += linear(inner, f) + linear(f, inner); }
      acts += pos * inner * 3 + pos2 * (inner * 3 + out * 3);
      H = h2; W = w2; dimIn = out;
    }
  }
  const conv5 = Math.floor(bf * dimIn);
  params += dimIn * conv5 + bn(conv5) + conv5 * fc;
  flops += 2 * (T * H * W * dimIn * conv5 + conv5 * fc);
  if (classes > 0) params += linear(fc, classes);
  return { params, flops, activations: acts, width: fc };
}

function countResnet(c: Config, dims: number[], channels: number, classes: number): Count {
  const layers = arr(c, 'layers'), w0 = num(c, 'width');
  const bn = (ch: number) => 2 * ch;
  let [H, W] = dims;
  H = convOut(H, 7, 2); W = convOut(W, 7, 2);
  let params = channels * w0 * 49 + bn(w0), flops = 2 * H * W * channels * w0 * 49, acts = H * W * w0 * 3;
  H = convOut(H, 3, 2); W = convOut(W, 3, 2);
  let dimIn = w0;
  layers.forEach((n, s) => {
    blocks(c, 'layers', n, 'a list of whole numbers of blocks, each');
    const width = w0 * 2 ** s, out = width * 4;
    for (let b = 0; b < n; b++) {
      const stride = b === 0 && s > 0 ? 2 : 1;
      const h2 = convOut(H, 3, stride), w2 = convOut(W, 3, stride);
      if (b === 0) { params += dimIn * out + bn(out); flops += 2 * h2 * w2 * dimIn * out; }
      params += dimIn * width + bn(width) + 9 * width * width + bn(width) + width * out + bn(out);
      flops += 2 * (H * W * dimIn * width + h2 * w2 * (9 * width * width + width * out));
      acts += H * W * width * 3 + h2 * w2 * (width * 3 + out * 3);
      H = h2; W = w2; dimIn = out;
    }
  });
  if (classes > 0) params += linear(dimIn, classes);
  return { params, flops, activations: acts, width: dimIn };
}

/** Backbone as instantiated for training: no classifier; plus the output projection when output_dim differs. */
export function countBackbone(b: BackboneLike, input: number[]): Count {
  const c = resolveConfig(b);
  const { dims, channels } = splitInput(b.modality, input);
  const base = countFamily(b.family, c, dims, b.family === 'resnet' ? num(c, 'in_channels') : channels, 0);
  if (base.width !== b.output_dim) {
    return { ...base, params: base.params + linear(base.width, b.output_dim), flops: base.flops + 2 * base.width * b.output_dim, width: b.output_dim };
  }
  return base;
}

export function countFamily(family: Family, c: Config, dims: number[], channels: number, classes: number): Count {
  switch (family) {
    case 'patch_transformer': case 'patch_mlp': return countPatch(family, c, dims, channels);
    case 'mvit': return countMvit(c, dims, channels, classes);
    case 'x3d': return countX3d(c, dims, channels, classes);
    case 'resnet': return countResnet(c, dims, channels, classes);
  }
}

/**
 * The published reference variant's count (classifier and input channels of the publication), for
 * comparison with `published_params`; null for families with no publication (the CPU-sized ones).
 */
export function referenceCount(b: BackboneLike): { params: number; variant: string } | null {
  const c = resolveConfig(b);
  switch (b.family) {
    case 'mvit': {
      const classes = num(c, 'reference_classes'), v = num(c, 'version');
      // The audio variant is compared as the video reference with the same widths/depths.
      const cv = b.modality === 'audio'
        ? { ...c, patch_kernel: [3, 7, 7], patch_stride: [2, 4, 4], pool_kernel: [3, 3, 3], pool_q_stride: [1, 2, 2], pool_kv_stride: [1, 8, 8] }
        : c;
      const rr = countMvit(cv, [16, 224, 224], 3, classes);
      return { params: rr.params, variant: `MViT${v >= 2 ? 'v2' : 'v1'} 16x4 at 16x224x224 RGB, ${classes}-way classifier` };
    }
    case 'x3d': {
      const classes = num(c, 'reference_classes');
      const fc = b.config.fc_dim ?? X3D_M.fc_dim;
      return { params: countX3d({ ...c, fc_dim: fc }, [16, 224, 224], 3, classes).params, variant: `X3D at 16x224x224 RGB, fc ${fc}, ${classes}-way classifier` };
    }
    case 'resnet': {
      const classes = num(c, 'reference_classes'), ch = num(c, 'reference_in_channels');
      return { params: countResnet(c, [224, 224], ch, classes).params, variant: `ResNet at 224x224, ${ch}-channel stem, ${classes}-way classifier` };
    }
    default: return null;
  }
}

/** Params of an MLP head: Linear(+ReLU) through `layers` from `inputDim`. */
export function countHead(inputDim: number, layers: number[]): number {
  let p = 0, d = inputDim;
  for (const w of layers) { p += linear(d, w); d = w; }
  return p;
}
