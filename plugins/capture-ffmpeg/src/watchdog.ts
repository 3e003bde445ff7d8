import { spawn } from 'node:child_process';

/** Ends the watched ffmpeg unless released; see watchProcess. */
export interface Watchdog {
  /** The capture ended normally: the watcher exits without touching ffmpeg. */
  release(): void;
}

// After SIGINT ffmpeg finalizes its open fragment; one that hangs is killed after 10 s.
const POSIX_WATCHER = [
  'read -r line',
  '[ "$line" = done ] && exit 0',
  'kill -INT "$1" 2>/dev/null',
  'i=0',
  'while kill -0 "$1" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.5; i=$((i+1)); done',
  'kill -KILL "$1" 2>/dev/null',
].join('\n');

const NODE_WATCHER = `let said='';process.stdin.setEncoding('utf8').on('data',(d)=>{said+=d});
process.stdin.on('end',()=>{if(!said.startsWith('done')){try{process.kill(Number(process.env.DESKREC_WATCH_PID))}catch{}}process.exit(0)});`;

/**
 * Makes ffmpeg end with the agent process. ffmpeg notices neither its parent's death nor the end of its
 * stdin (it ignores EOF and SIGPIPE), and Node cannot reach Linux's PR_SET_PDEATHSIG. So a tiny watcher
 * process reads a pipe whose write end only the agent holds: when the agent dies, however it dies, the
 * OS closes that end, the watcher reads EOF and interrupts ffmpeg, which closes its file and exits.
 */
export function watchProcess(pid: number, platform = process.platform): Watchdog {
  const child =
    platform === 'win32'
      ? spawn(process.execPath, ['-e', NODE_WATCHER], {
          stdio: ['pipe', 'ignore', 'ignore'],
          env: { ...process.env, DESKREC_WATCH_PID: String(pid) },
          windowsHide: true,
        })
      : spawn('/bin/sh', ['-c', POSIX_WATCHER, 'deskrec-ffmpeg-watchdog', String(pid)], {
          stdio: ['pipe', 'ignore', 'ignore'],
        });
  child.on('error', () => undefined);
  child.stdin.on('error', () => undefined);
  child.unref();
  (child.stdin as unknown as { unref(): void }).unref();
  return {
    release() {
      if (child.exitCode === null && child.signalCode === null) child.stdin.end('done\n');
    },
  };
}
