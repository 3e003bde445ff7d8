import { spawn } from 'node:child_process';

export interface FfmpegStream {
  /** The encoded MP4 as a web stream; cancelling it (the client went away) kills ffmpeg. */
  body: ReadableStream<Uint8Array>;
}

export class FfmpegFailed extends Error {}

/**
 * Starts ffmpeg and waits for its first output bytes, so a failure before any byte (an unreadable segment,
 * a broken file) is an error answer rather than a truncated download. stderr keeps only its tail.
 */
export async function startFfmpeg(
  ffmpegPath: string,
  args: string[],
  /** The client went away: ffmpeg is killed, whether it has written anything or not. */
  signal: AbortSignal,
  onEnd: (error?: string) => void,
) {
  const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4096);
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const exited = new Promise<string | undefined>((resolve) => {
    child.once('error', (error) => resolve(error.message));
    child.once('close', (code, killedBy) =>
      resolve(
        code === 0 ? undefined : `ffmpeg ended with ${killedBy ?? `exit code ${code}`}: ${stderr.trim()}`,
      ),
    );
  });
  if (signal.aborted) kill();
  signal.addEventListener('abort', kill, { once: true });
  void exited.then((error) => {
    signal.removeEventListener('abort', kill);
    onEnd(error);
  });
  const first = await new Promise<Buffer | undefined>((resolve) => {
    child.stdout.once('data', (chunk: Buffer) => {
      child.stdout.pause();
      resolve(chunk);
    });
    void exited.then(() => resolve(undefined));
  });
  if (!first) {
    kill();
    throw new FfmpegFailed((await exited) ?? 'ffmpeg wrote nothing');
  }
  const stdout = child.stdout;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(new Uint8Array(first));
        stdout.on('data', (chunk: Buffer) => {
          if (cancelled) return;
          controller.enqueue(new Uint8Array(chunk));
          // Backpressure: ffmpeg waits while the client is slower than the encoder.
          if ((controller.desiredSize ?? 1) <= 0) stdout.pause();
        });
        stdout.once('end', () => {
          void exited.then((error) => {
            if (cancelled) return;
            if (error) controller.error(new FfmpegFailed(error));
            else controller.close();
          });
        });
      },
      pull() {
        stdout.resume();
      },
      cancel() {
        cancelled = true;
        kill();
      },
    },
    { highWaterMark: 8 },
  );
  return { body } satisfies FfmpegStream;
}
