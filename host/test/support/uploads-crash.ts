import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import ffmpeg from '@ffmpeg-installer/ffmpeg';

/** Every process below `pid` (children first found, then theirs), read from /proc. */
export async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Field 4 (ppid) follows the command name in parentheses, which may itself hold spaces.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!parents.has(ppid)) parents.set(ppid, []);
    parents.get(ppid)!.push(Number(entry));
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const child of parents.get(p) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

/** Decodes a whole file with ffmpeg; resolves the exit code and the media time it reached, in seconds. */
export function decode(file: string): Promise<{ code: number; seconds: number; errors: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg.path, ['-v', 'error', '-stats', '-i', file, '-f', 'null', '-'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const times = [...stderr.matchAll(/time=(\d+):(\d+):(\d+(?:\.\d+)?)/g)];
      const last = times.at(-1);
      const seconds = last ? Number(last[1]) * 3600 + Number(last[2]) * 60 + Number(last[3]) : 0;
      const errors = stderr
        .split(/[\r\n]/)
        .filter((l) => l.trim() && !l.includes('time='))
        .join('\n');
      resolve({ code: code ?? -1, seconds, errors });
    });
  });
}
