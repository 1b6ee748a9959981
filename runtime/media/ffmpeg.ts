// ffmpeg / ffprobe binaries: the ones shipped inside npm packages (@ffmpeg-installer/ffmpeg,
// @ffprobe-installer/ffprobe) unless FFMPEG_PATH / FFPROBE_PATH point at a system build.
// Everything media-related goes through fluent-ffmpeg configured here: no shell is ever involved.
import { createRequire } from 'node:module';
import ffmpegFluent from 'fluent-ffmpeg';

const require = createRequire(import.meta.url);

export function ffmpegPath(): string {
  return process.env.FFMPEG_PATH || (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

export function ffprobePath(): string {
  return process.env.FFPROBE_PATH || (require('@ffprobe-installer/ffprobe') as { path: string }).path;
}

let configured = false;
/** fluent-ffmpeg with the binaries above; call instead of importing fluent-ffmpeg directly. */
export function ffmpeg(input?: string): ffmpegFluent.FfmpegCommand {
  if (!configured) {
    ffmpegFluent.setFfmpegPath(ffmpegPath());
    ffmpegFluent.setFfprobePath(ffprobePath());
    configured = true;
  }
  return input === undefined ? ffmpegFluent() : ffmpegFluent(input);
}

/** ffprobe a file through fluent-ffmpeg (rejects with ffprobe's own message on unreadable media). */
export function ffprobe(path: string): Promise<ffmpegFluent.FfprobeData> {
  ffmpeg();
  return new Promise((resolve, reject) => ffmpegFluent.ffprobe(path, (err, data) => (err ? reject(err) : resolve(data))));
}

/** Runs a configured command to completion; resolves with ffmpeg's stderr tail for diagnostics. */
export function runCommand(cmd: ffmpegFluent.FfmpegCommand): Promise<void> {
  return new Promise((resolve, reject) => {
    let tail = '';
    cmd.on('stderr', (line: string) => { tail = (tail + line + '\n').slice(-4000); })
      .on('error', (err: Error) => reject(new Error(`${err.message}\n${tail}`)))
      .on('end', () => resolve())
      .run();
  });
}
