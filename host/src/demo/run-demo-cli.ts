import path from 'node:path';
import { startDemo } from './start-demo.js';

/** `deskrec-host demo`: starts the demo in ./.data/demo, prints how to sign in, stops on Ctrl-C. */
export async function runDemoCli(options: { dataDir?: string; webPort?: number } = {}): Promise<number> {
  const dataDir = path.resolve(options.dataDir ?? '.data/demo');
  process.stdout.write(`Starting the deskrec demo in ${dataDir} ...\n`);
  const demo = await startDemo({ dataDir, ...(options.webPort ? { webPort: options.webPort } : {}) });
  process.stdout.write(
    [
      '',
      '  deskrec demo is running.',
      `    Portal:    ${demo.url}`,
      `    Username:  ${demo.username}`,
      `    Password:  ${demo.password}${demo.firstStart ? '' : '   (reset for this run; earlier ones no longer work)'}`,
      `    Screen:    ${demo.display ? `Xvfb display ${demo.display} (xclock and top)` : "ffmpeg's test pattern (install Xvfb for a virtual desktop)"}`,
      '    Calls:     simulated for extension 1001 (user "Demo Agent") every few seconds, 15-40 s each;',
      '               the first recordings appear under Calls within about a minute.',
      '    Ctrl-C stops everything cleanly (agent, host, Xvfb).',
      '',
    ].join('\n'),
  );
  demo.agent.child.once('exit', (code) => {
    if (code !== 0 && code !== null) {
      process.stderr.write(`The demo agent exited with code ${code}:\n${demo.agent.output()}\n`);
    }
  });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.stdout.write(`\nReceived ${signal}; stopping the agent, the host and Xvfb...\n`);
      demo.stop().then(resolve, (error: unknown) => {
        process.stderr.write(`Stop failed: ${(error as Error).message}\n`);
        resolve();
      });
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  process.stdout.write('Demo stopped.\n');
  return 0;
}
