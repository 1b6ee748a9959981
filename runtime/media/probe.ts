// ffprobe one file into the facts the catalog needs. Bad media is reported as an LssdError (one line),
// never thrown raw: zero-length, unreadable, no audio. Untagged (`und`) audio streams are returned in
// `skipped` so the caller can warn once per stream.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { ffprobe } from './ffmpeg.ts';
import { runFfmpeg } from './decode.ts';
import { DataCodes, LssdError, firstLine } from './errors.ts';
import { normaliseLanguage, SPEECH_REMOVED } from './lang.ts';

export interface ProbedAudio {
  stream: number;
  language: string; // ISO 639-1 or 'zxx'
  channels: number;
  channelLayout: string;
  /** Container `title` tag ('original', 'dub', 'speech_removed', …) lowercased, '' when absent. */
  label: string;
}

export interface ProbeInfo {
  path: string;
  size: number;
  mtimeMs: number;
  duration: number;
  /** Container start time (s): timestamps in the file are offset by it. */
  startTime: number;
  title: string;
  video: { stream: number; width: number; height: number; fps: number } | null;
  audio: ProbedAudio[];
  /** Audio streams dropped for a missing / `und` language tag. */
  skipped: { stream: number; reason: string }[];
}

function parseRate(r: string | undefined): number {
  if (!r) return 0;
  const [n, d] = r.split('/').map(Number);
  const v = d ? n / d : n;
  return Number.isFinite(v) ? v : 0;
}

export async function probeMedia(path: string): Promise<ProbeInfo> {
  let st;
  try { st = statSync(path); } catch (e) {
    throw new LssdError(DataCodes.unreadable, `cannot read file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { path, hint: 'check the path and permissions' });
  }
  if (st.size === 0) throw new LssdError(DataCodes.zeroLength, 'file is empty (0 bytes)', { path, hint: 'remove it or copy it again' });
  let data: ProbeData;
  try { data = await ffprobe(path) as ProbeData; } catch (e) {
    // The shipped ffprobe build dies by a signal on some demuxers (MPEG-TS here): ask ffmpeg's own
    // demuxer instead of losing the file. A plain refusal (exit code) stays an LSSD5001.
    if (!/signal|code null/i.test(String((e as Error)?.message ?? e))) {
      throw new LssdError(DataCodes.unreadable, `ffprobe cannot read it: ${firstLine(e)}`, { path, hint: 'is it a media file? try `ffprobe` on it directly' });
    }
    data = await probeWithFfmpeg(path);
  }
  const tags = (data.format.tags ?? {}) as Record<string, string | number>;
  const streams = data.streams ?? [];
  if (!streams.some((s) => s.codec_type === 'audio' || s.codec_type === 'video')) {
    const other = streams.map((s) => s.codec_type ?? 'unknown');
    throw new LssdError(DataCodes.noAudio, `container holds no audio or video stream (${other.length ? `${other.length} stream(s): ${[...new Set(other)].join(', ')}` : 'no streams at all'})`,
      { path, hint: 'is the file complete? a download cut off before its first packet looks like this' });
  }
  let duration = Number(data.format.duration);
  if (!Number.isFinite(duration)) duration = Math.max(0, ...streams.map((s) => Number(s.duration)).filter(Number.isFinite));
  if (!(duration > 0)) throw new LssdError(DataCodes.zeroLength, 'media has zero duration', { path, hint: 'the file holds no decodable frames' });
  const v = streams.find((s) => s.codec_type === 'video' && !(s.disposition && s.disposition.attached_pic));
  const video = v ? { stream: v.index, width: v.width ?? 0, height: v.height ?? 0, fps: parseRate(v.avg_frame_rate) || parseRate(v.r_frame_rate) } : null;
  const audio: ProbedAudio[] = [];
  const skipped: ProbeInfo['skipped'] = [];
  const audioStreams = streams.filter((s) => s.codec_type === 'audio');
  for (const s of audioStreams) {
    const t = (s.tags ?? {}) as Record<string, string>;
    const raw = t.language ?? t.LANGUAGE;
    const lang = normaliseLanguage(raw);
    const label = String(t.title ?? t.TITLE ?? '').toLowerCase();
    if (!lang) {
      skipped.push({ stream: s.index, reason: raw ? `language tag '${raw}' is undetermined or unknown` : 'no language tag' });
      continue;
    }
    audio.push({ stream: s.index, language: lang, channels: s.channels ?? 1, channelLayout: String(s.channel_layout ?? ''), label });
  }
  if (audioStreams.length === 0) throw new LssdError(DataCodes.noAudio, 'no audio stream', { path, hint: 'training needs at least one audio track' });
  if (audio.filter((a) => a.language !== SPEECH_REMOVED).length === 0) {
    throw new LssdError(DataCodes.noAudio, `no audio stream with a usable language tag (${skipped.map((s) => `#${s.stream}: ${s.reason}`).join('; ')})`,
      { path, hint: 'tag the tracks, e.g. `ffmpeg -i in.mkv -map 0 -c copy -metadata:s:a:0 language=eng out.mkv`' });
  }
  const base = path.split('/').pop()!.replace(/\.[^.]+$/, '');
  const startTime = Number(data.format.start_time);
  return { path, size: st.size, mtimeMs: st.mtimeMs, duration, startTime: Number.isFinite(startTime) ? startTime : 0, title: String(tags.title ?? tags.TITLE ?? base), video, audio, skipped };
}

// ---- containers by content -------------------------------------------------------------------------

/** Containers `data index` recognises by their first bytes (ffprobe still has the last word). */
export type Container = 'matroska' | 'mp4' | 'avi' | 'mpegts' | 'mpegps' | 'asf' | 'flv' | 'ogg';

/** What a file's first bytes say: a container, text (source code, subtitles, notes), empty, or unknown binary. */
export type Sniffed = Container | 'text' | 'empty' | 'unknown';

/** The container each media file name suffix promises (`.ts` is also TypeScript's: content decides). */
export const CONTAINER_BY_EXTENSION: Readonly<Record<string, Container>> = {
  '.mkv': 'matroska', '.mka': 'matroska', '.webm': 'matroska', '.mk3d': 'matroska',
  '.mp4': 'mp4', '.m4v': 'mp4', '.m4a': 'mp4', '.mov': 'mp4', '.3gp': 'mp4',
  '.avi': 'avi', '.ts': 'mpegts', '.m2ts': 'mpegts', '.mts': 'mpegts',
  '.mpg': 'mpegps', '.mpeg': 'mpegps', '.vob': 'mpegps', '.wmv': 'asf', '.asf': 'asf', '.flv': 'flv',
  '.ogv': 'ogg', '.ogg': 'ogg', '.oga': 'ogg', '.opus': 'ogg',
};

export const CONTAINER_NAMES: Readonly<Record<Container, string>> = {
  matroska: 'Matroska/WebM', mp4: 'MP4/QuickTime', avi: 'AVI', mpegts: 'MPEG-TS', mpegps: 'MPEG-PS', asf: 'ASF/WMV', flv: 'FLV', ogg: 'Ogg',
};

/** Bytes read from the head of a file to sniff it (MPEG-TS needs three 188/192-byte packets). */
export const SNIFF_BYTES = 4096;

const MP4_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'wide', 'skip', 'pnot']);

/** Classifies a file head (see `Sniffed`). Pure, so tests feed it bytes. */
export function sniffBytes(b: Uint8Array): Sniffed {
  if (b.length === 0) return 'empty';
  const ascii = (o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return 'matroska';
  if (b.length >= 8 && MP4_BOXES.has(ascii(4, 4))) return 'mp4';
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'AVI ') return 'avi';
  if (b.length >= 4 && ascii(0, 4) === 'OggS') return 'ogg';
  if (b.length >= 3 && ascii(0, 3) === 'FLV') return 'flv';
  if (b.length >= 4 && b[0] === 0x30 && b[1] === 0x26 && b[2] === 0xb2 && b[3] === 0x75) return 'asf';
  if (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 1 && (b[3] === 0xba || b[3] === 0xb3)) return 'mpegps';
  // MPEG-TS: a 0x47 sync byte every 188 bytes (M2TS: 192, after a 4-byte timestamp); three in a row.
  for (const [first, step] of [[0, 188], [4, 192]] as const) {
    if (b.length >= first + 2 * step + 1 && b[first] === 0x47 && b[first + step] === 0x47 && b[first + 2 * step] === 0x47) return 'mpegts';
  }
  return looksLikeText(b) ? 'text' : 'unknown';
}

/** UTF-8 text without NULs or control bytes other than tab/CR/LF/FF (a cut-off multibyte tail is allowed). */
function looksLikeText(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === 0 || (c < 0x20 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 0x7f) return false;
  }
  const s = Buffer.from(b).toString('utf8');
  const bad = (s.match(/\uFFFD/g) ?? []).length;
  return bad <= 3;
}

/** Sniffs the head of `path`; an unreadable file throws (the caller reports it). */
export function sniffFile(path: string): Sniffed {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const n = readSync(fd, buf, 0, SNIFF_BYTES, 0);
    return sniffBytes(buf.subarray(0, n));
  } finally { closeSync(fd); }
}

// ---- ffmpeg -i as a probe ---------------------------------------------------------------------------

interface ProbeStream {
  index: number; codec_type?: string; width?: number; height?: number; avg_frame_rate?: string; r_frame_rate?: string;
  channels?: number; channel_layout?: string; duration?: string | number; tags?: Record<string, string>; disposition?: Record<string, number>;
}
/** The part of ffprobe's JSON the catalog reads. */
interface ProbeData { format: { duration?: string | number; start_time?: string | number; tags?: Record<string, string | number> }; streams: ProbeStream[] }

const CHANNELS: Record<string, number> = { mono: 1, stereo: 2, '2.1': 3, quad: 4, '4.0': 4, '5.0': 5, '5.1': 6, '6.1': 7, '7.1': 8 };

/** Parses the stream listing `ffmpeg -i FILE` prints (the input dump) into ffprobe's shape. Pure; exported for tests. */
export function parseInputDump(text: string): ProbeData | null {
  const lines = text.split('\n');
  if (!lines.some((l) => /^Input #0, /.test(l))) return null;
  const format: ProbeData['format'] = { tags: {} };
  const streams: ProbeStream[] = [];
  let meta: Record<string, string | number> | null = format.tags!;
  let metaIndent = -1;
  for (const l of lines) {
    const indent = l.length - l.trimStart().length;
    const t = l.trim();
    const dur = /^Duration: (\d+):(\d+):(\d+(?:\.\d+)?|N\/A)(?:, start: (-?[\d.]+))?/.exec(t);
    if (dur) { if (dur[3] !== 'N/A') format.duration = Number(dur[1]) * 3600 + Number(dur[2]) * 60 + Number(dur[3]); if (dur[4]) format.start_time = Number(dur[4]); meta = null; continue; }
    const st = /^Stream #0:(\d+)(?:\[[^\]]*\])?(?:\(([^)]+)\))?: (Video|Audio|Subtitle|Data|Attachment): (.*)$/.exec(t);
    if (st) {
      const s: ProbeStream = { index: Number(st[1]), codec_type: st[3].toLowerCase(), tags: {}, disposition: {} };
      if (st[2]) s.tags!.language = st[2];
      const rest = st[4];
      if (s.codec_type === 'video') {
        const size = /(?:^|[ ,])(\d{1,5})x(\d{1,5})(?:[ ,\[]|$)/.exec(rest);
        if (size) { s.width = Number(size[1]); s.height = Number(size[2]); }
        const fps = /([\d.]+)(k?) fps/.exec(rest) ?? /([\d.]+)(k?) tbr/.exec(rest);
        if (fps) s.avg_frame_rate = String(Number(fps[1]) * (fps[2] ? 1000 : 1));
        if (/attached pic/.test(rest)) s.disposition!.attached_pic = 1;
      } else if (s.codec_type === 'audio') {
        const parts = rest.split(', ').map((x) => x.trim());
        const layout = parts.find((x) => x in CHANNELS || /^\d+ channels/.test(x));
        if (layout) { s.channel_layout = layout; s.channels = CHANNELS[layout] ?? Number(/^(\d+)/.exec(layout)![1]); }
      }
      streams.push(s);
      meta = s.tags!; metaIndent = -1;
      continue;
    }
    if (t === 'Metadata:') { metaIndent = indent; continue; }
    const kv = /^([A-Za-z0-9_\-]+)\s*: (.*)$/.exec(t);
    if (kv && meta && metaIndent >= 0 && indent > metaIndent) { if (!(kv[1] in meta)) meta[kv[1]] = kv[2]; continue; }
    if (/^(Program|Chapter|Input)/.test(t)) { meta = /^Input/.test(t) ? format.tags! : null; metaIndent = -1; }
  }
  return { format, streams };
}

async function probeWithFfmpeg(path: string): Promise<ProbeData> {
  let text = '';
  try { text = (await runFfmpeg(['-v', 'info', '-i', path])).stderr; } catch (e) { text = String((e as Error)?.message ?? e); }
  const d = parseInputDump(text);
  if (!d) throw new LssdError(DataCodes.unreadable, `neither ffprobe nor ffmpeg can read it: ${firstLine(text)}`, { path, hint: 'is it a media file? try `ffmpeg -i` on it directly' });
  return d;
}
