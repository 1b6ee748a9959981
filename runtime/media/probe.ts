// ffprobe one file into the facts the catalog needs. Bad media is reported as an LssdError (one line),
// never thrown raw: zero-length, unreadable, no audio. Untagged (`und`) audio streams are returned in
// `skipped` so the caller can warn once per stream.
import { statSync } from 'node:fs';
import { ffprobe } from './ffmpeg.ts';
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
  let data;
  try { data = await ffprobe(path); } catch (e) {
    throw new LssdError(DataCodes.unreadable, `ffprobe cannot read it: ${firstLine(e)}`, { path, hint: 'is it a media file? try `ffprobe` on it directly' });
  }
  const tags = (data.format.tags ?? {}) as Record<string, string | number>;
  const streams = data.streams ?? [];
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
