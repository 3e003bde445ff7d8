import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a short helper command (xrandr, ffmpeg -version...) to completion with a timeout. Resolves undefined
 * when the program does not exist, so callers can fall back to the next way of finding something out.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  timeoutMs = 10000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CommandResult | undefined> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env, timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-256 * 1024);
    });
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
