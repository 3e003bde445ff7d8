import fs from 'node:fs/promises';
import path from 'node:path';
import type { DestinationStream } from 'pino';
import { DEFAULT_TENANT_SLUG, FIRST_ADMIN_USERNAME } from '../app/bootstrap.js';
import { createHost, type Host } from '../app/create-host.js';
import { loadConfig } from '../config/load-config.js';
import { autoAuthorize } from './auto-authorize.js';
import { DEMO_COMPUTER, type DemoAgent, startDemoAgent } from './demo-agent.js';
import { applyDemoSettings, DEMO_EXTENSION, ensureDemoUser, resetDemoAdminPassword } from './demo-data.js';
import { onPath, startVirtualDisplay, type VirtualDisplay } from './virtual-display.js';

export interface DemoOptions {
  /** Host data folder; the demo agent lives in its `agent` subfolder. Reused on later runs. */
  dataDir: string;
  /** Web port (default 6543); controller ports stay at their defaults (6091/6092). */
  webPort?: number;
  /** Where DESKREC_WEB_PORT, DESKREC_CONTROLLER_TCP_PORT and DESKREC_CONTROLLER_TLS_PORT are read; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Let the OS pick every port (tests). */
  ephemeralPorts?: boolean;
  /** What the agent captures: an Xvfb display when Xvfb is installed (auto), or ffmpeg's test source. */
  capture?: 'auto' | 'xvfb' | 'lavfi';
  /** Host console log destination; process.stdout by default. */
  stdout?: DestinationStream;
  /** Console log depth of the host, 1–5 (default 2: warnings and errors). */
  logLevel?: number;
}

export interface Demo {
  url: string;
  username: string;
  password: string;
  /** True when this run created the database (the password is the first start's). */
  firstStart: boolean;
  /** The X display captured, when Xvfb is used. */
  display: string | undefined;
  host: Host;
  tenantId: string;
  agent: DemoAgent;
  /** Stops the agent, the host and Xvfb, in that order. */
  stop(): Promise<void>;
}

/** A call-event source placing short calls for the demo extension every few seconds. */
const SIMULATOR = {
  use: 'simulator',
  id: 'demo',
  options: {
    agents: DEMO_EXTENSION,
    callsPerMinute: 6,
    duration: { medianSeconds: 25, p90Seconds: 35, minSeconds: 15, maxSeconds: 40 },
    ringSeconds: { min: 1, max: 3 },
    transferProbability: 0,
    holdProbability: 0,
    abandonedProbability: 0,
    wrapUpSeconds: 5,
    callIdPrefix: 'demo-',
    // A synthetic conversation per call, so the player has sound.
    audio: true,
  },
};

const DEMO_PORT_VARIABLES = [
  'DESKREC_WEB_PORT',
  'DESKREC_CONTROLLER_TCP_PORT',
  'DESKREC_CONTROLLER_TLS_PORT',
];

function pick(env: NodeJS.ProcessEnv, names: readonly string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(names.flatMap((name) => (env[name] ? [[name, env[name]]] : [])));
}

async function writeHostConfig(options: DemoOptions): Promise<string> {
  await fs.mkdir(options.dataDir, { recursive: true });
  const file = path.join(options.dataDir, 'deskrec-demo.json');
  const config = {
    dataDir: options.dataDir,
    // Loopback only: the demo prints its admin password.
    web: { host: '127.0.0.1', port: options.ephemeralPorts ? 0 : (options.webPort ?? 6543) },
    controller: options.ephemeralPorts ? { ephemeralPorts: true, tlsPort: 0 } : {},
    jobs: { pollMs: 500 },
    log: { level: options.logLevel ?? 2 },
    plugins: { callEvents: [SIMULATOR] },
  };
  await fs.writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/**
 * Starts a self-contained demo: a host on the embedded database, a demo user, simulated calls for that
 * user's extension, and one local agent (authorized automatically) recording a virtual or test screen.
 */
export async function startDemo(options: DemoOptions): Promise<Demo> {
  const dataDir = path.resolve(options.dataDir);
  const file = await writeHostConfig({ ...options, dataDir });
  // The port variables work as for `start` (two demos, or a port in use); the rest of the demo is fixed.
  const env = options.ephemeralPorts ? {} : pick(options.env ?? process.env, DEMO_PORT_VARIABLES);
  const host = createHost(loadConfig({ file, env }), options.stdout ? { stdout: options.stdout } : {});
  let display: VirtualDisplay | undefined;
  let agent: DemoAgent | undefined;
  let authorizer: { stop(): void } | undefined;
  const stop = async () => {
    authorizer?.stop();
    await agent?.stop();
    await host.stop();
    await display?.stop();
  };
  try {
    const started = await host.start();
    const { repos } = host.services();
    const tenant = await repos.tenants.bySlug(DEFAULT_TENANT_SLUG);
    const tenantId = tenant!.id;
    await applyDemoSettings(repos, tenantId);
    await ensureDemoUser(repos, tenantId);
    const password = started.firstStart?.password ?? (await resetDemoAdminPassword(repos, tenantId));
    // Only the token's hash is stored, so later runs issue a new one for the demo agent.
    const token = started.firstStart?.tenantToken ?? (await repos.tenants.resetToken(tenantId))!;

    const wantXvfb = options.capture === 'xvfb' || ((options.capture ?? 'auto') === 'auto' && onPath('Xvfb'));
    if (wantXvfb) display = await startVirtualDisplay();
    authorizer = autoAuthorize(host, tenantId, DEMO_COMPUTER);
    agent = await startDemoAgent({
      dataDir: path.join(dataDir, 'agent'),
      controllerPort: host.runtime().controller.status().listening.tcp!.port,
      tenantToken: token,
      ...(display ? { display: display.display } : {}),
    });
    return {
      url: started.url,
      username: FIRST_ADMIN_USERNAME,
      password,
      firstStart: Boolean(started.firstStart),
      display: display?.display,
      host,
      tenantId,
      agent,
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
