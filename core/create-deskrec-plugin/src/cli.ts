import { stdin, stdout } from 'node:process';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { isKind, KINDS, type Kind, packageNameProblem, pluginIds } from './names.js';
import { scaffold } from './scaffold.js';

export const HELP = `Usage: npm create deskrec-plugin -- --kind <kind> --name <package> [--dir <folder>] [--title <text>]

Scaffolds a deskrec plugin package: definePlugin in src/index.ts, zod options in src/options.ts, a working
skeleton that passes its kit, test/conformance.test.ts wired to the kind's kit, README, CHANGELOG.

  --kind <kind>     ${KINDS.join(', ')}
  --name <package>  npm package name, e.g. @acme/deskrec-storage-webdav
  --dir <folder>    where to write it (default: the unscoped package name)
  --title <text>    one line for admins, shown in the portal
  -h, --help        show this help

Missing values are asked for when run in a terminal; otherwise they are required.`;

export interface CliIo {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
  /** Answers questions; absent when there is no terminal to ask. */
  ask?: (question: string) => Promise<string>;
}

function terminalIo(): CliIo {
  const interactive = stdin.isTTY && stdout.isTTY;
  return {
    out: stdout,
    err: process.stderr,
    ...(interactive
      ? {
          ask: async (question: string) => {
            const rl = createInterface({ input: stdin, output: stdout });
            try {
              return (await rl.question(question)).trim();
            } finally {
              rl.close();
            }
          },
        }
      : {}),
  };
}

async function askUntil(
  io: CliIo,
  question: string,
  problem: (answer: string) => string | undefined,
): Promise<string> {
  for (;;) {
    const answer = (await io.ask?.(question)) ?? '';
    const why = problem(answer);
    if (!why) return answer;
    io.err.write(`${why}\n`);
  }
}

/** Runs the CLI; returns the exit code (2 for usage errors, 1 for a failed scaffold). */
export async function runCli(argv: string[], io: CliIo = terminalIo()): Promise<number> {
  let values: { kind?: string; name?: string; dir?: string; title?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        kind: { type: 'string' },
        name: { type: 'string' },
        dir: { type: 'string' },
        title: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    io.err.write(`${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    io.out.write(`${HELP}\n`);
    return 0;
  }
  const kindProblem = (k: string) => (isKind(k) ? undefined : `the kind must be one of ${KINDS.join(', ')}`);
  const missing = [values.kind ? undefined : '--kind', values.name ? undefined : '--name'].filter(Boolean);
  if (missing.length && !io.ask) {
    io.err.write(`${missing.join(' and ')} required (no terminal to ask in)\n\n${HELP}\n`);
    return 2;
  }
  if (values.kind && kindProblem(values.kind)) {
    io.err.write(`--kind "${values.kind}": ${kindProblem(values.kind)}\n`);
    return 2;
  }
  const kind = (values.kind ?? (await askUntil(io, `Kind (${KINDS.join(', ')}): `, kindProblem))) as Kind;
  const name =
    values.name ??
    (await askUntil(io, 'Package name (e.g. @acme/deskrec-storage-webdav): ', packageNameProblem));
  const dir = values.dir ?? name.replace(/^@[^/]+\//, '');
  try {
    const result = await scaffold({ kind, name, dir, ...(values.title ? { title: values.title } : {}) });
    const { shortId } = pluginIds(kind, name);
    io.out.write(
      [
        `Created ${name} (${kind} plugin "${result.pluginId}") in ${result.dir}:`,
        ...result.files.map((f) => `  ${f}`),
        '',
        'Next:',
        `  cd ${result.dir}`,
        '  npm install',
        '  npm test',
        `Then name it in a host config as { use: "${name}", id: ${shortId} }.`,
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    io.err.write(`create-deskrec-plugin: ${(error as Error).message}\n`);
    return 1;
  }
}
