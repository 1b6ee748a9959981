// Units and dimensions (docs/language.md §7). A quantity is written with the unit as the user thinks
// of it (`48kHz`, `3s`, `50%`) and resolved to the base unit of its dimension (Hz, s, fraction), so
// `48kHz` and `48000Hz` resolve — and hash — identically.

export type Dimension =
  | 'duration' // base: s
  | 'rate'     // base: Hz
  | 'fps'      // base: frames per second
  | 'pixels'   // base: px
  | 'percent'  // base: fraction in [0,1]
  | 'shots' | 'titles' | 'clips' | 'frames' | 'bins' | 'samples' // counts of a named thing
  | 'epochs' | 'steps'   // training length
  | 'per_device'         // same-title count per device batch
  | 'level'              // base: dB (a level difference)
  | 'loudness';          // base: LUFS (BS.1770 loudness, K-weighted, relative to full scale)

interface UnitDef { dim: Dimension; factor: number }

export const UNITS: Record<string, UnitDef> = {
  s: { dim: 'duration', factor: 1 },
  ms: { dim: 'duration', factor: 1e-3 },
  min: { dim: 'duration', factor: 60 },
  h: { dim: 'duration', factor: 3600 },
  Hz: { dim: 'rate', factor: 1 },
  kHz: { dim: 'rate', factor: 1e3 },
  fps: { dim: 'fps', factor: 1 },
  px: { dim: 'pixels', factor: 1 },
  '%': { dim: 'percent', factor: 0.01 },
  shots: { dim: 'shots', factor: 1 },
  titles: { dim: 'titles', factor: 1 },
  clips: { dim: 'clips', factor: 1 },
  frames: { dim: 'frames', factor: 1 },
  bins: { dim: 'bins', factor: 1 },
  samples: { dim: 'samples', factor: 1 },
  epochs: { dim: 'epochs', factor: 1 },
  epoch: { dim: 'epochs', factor: 1 },
  steps: { dim: 'steps', factor: 1 },
  step: { dim: 'steps', factor: 1 },
  per_device: { dim: 'per_device', factor: 1 },
  dB: { dim: 'level', factor: 1 },
  LUFS: { dim: 'loudness', factor: 1 },
};

/** Human name of a dimension and an example, for diagnostics. */
export const DIMENSION_INFO: Record<Dimension, { name: string; example: string }> = {
  duration: { name: 'a duration', example: '3s' },
  rate: { name: 'a sample rate', example: '48kHz' },
  fps: { name: 'a frame rate', example: '25fps' },
  pixels: { name: 'a size in pixels', example: '224px' },
  percent: { name: 'a percentage', example: '50%' },
  shots: { name: 'a number of shots', example: '4.6M shots' },
  titles: { name: 'a number of titles', example: '24 titles' },
  clips: { name: 'a number of clips', example: '100 clips' },
  frames: { name: 'a number of frames', example: '16 frames' },
  bins: { name: 'a number of bins', example: '96 bins' },
  samples: { name: 'a number of samples', example: '501 samples' },
  epochs: { name: 'a number of epochs', example: '12 epochs' },
  steps: { name: 'a number of steps', example: '20000 steps' },
  per_device: { name: 'a count per device batch', example: '12 per_device' },
  level: { name: 'a level in dB', example: '7dB' },
  loudness: { name: 'a loudness', example: '-23LUFS' },
};

export function unitInfo(unit: string): UnitDef | undefined {
  return Object.prototype.hasOwnProperty.call(UNITS, unit) ? UNITS[unit] : undefined;
}

export const unitsOf = (dim: Dimension): string[] => Object.keys(UNITS).filter((u) => UNITS[u].dim === dim);

/** Convert to the base unit, rounding away binary noise (0.1 * 3 → 0.3). */
export function toBase(value: number, unit: string): number | undefined {
  const u = unitInfo(unit);
  if (!u) return undefined;
  return Number((value * u.factor).toPrecision(12));
}
