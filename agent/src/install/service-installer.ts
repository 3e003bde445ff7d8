import 'reflect-metadata';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { inject, injectable } from 'tsyringe';
import { AGENT_TOKENS } from '../app/tokens.js';
import type { AgentConfig } from '../config/agent-config.js';
import {
  LAUNCHD_LABEL_PREFIX,
  launchdPlist,
  type ServiceSpec,
  systemdUnit,
  winswXml,
} from './service-definitions.js';

export const SERVICE_NAME = 'deskrec-agent';
const DESCRIPTION = 'deskrec agent: records this workstation screen during calls';

export interface InstallEnvironment {
  platform: NodeJS.Platform;
  /**
   * Prefix for the system folders (/etc, /Library): '' on a real install; with DESTDIR (packaging, tests)
   * the files are staged under it and no service manager is called.
   */
  root: string;
  /** How to start this agent again: the single executable, or node plus the CLI script. */
  command: string[];
  /** Folder of the executable: ffmpeg and (Windows) the service wrapper ship beside it. */
  exeDir: string;
  /** Whether systemd is the running init (Linux). */
  systemdRunning: boolean;
  run(cmd: string, args: string[]): Promise<string>;
}

const execute = promisify(execFile);

/** The real machine: how this process was started, and its service manager. */
export function currentEnvironment(isSea: boolean): InstallEnvironment {
  const command = isSea ? [process.execPath] : [process.execPath, path.resolve(process.argv[1]!)];
  return {
    platform: process.platform,
    root: process.env.DESTDIR ?? '',
    command,
    exeDir: path.dirname(isSea ? process.execPath : path.resolve(process.argv[1]!)),
    systemdRunning: fs.existsSync('/run/systemd/system'),
    run: async (cmd, args) => (await execute(cmd, args, { windowsHide: true })).stdout,
  };
}

export interface InstallPlan {
  configFile: string;
  /** The generated service definition and where it goes. */
  definitionFile: string;
  definition: string;
  spec: ServiceSpec;
  /** Service-manager commands, in order. */
  commands: string[][];
}

export interface InstallResult extends InstallPlan {
  /** Set when the service could not be started here (no systemd): how to run it instead. */
  startByHand?: string;
}

/** `deskrec-agent install` / `uninstall`: writes the config and the platform's service definition and starts it. */
@injectable()
export class ServiceInstaller {
  constructor(
    @inject(AGENT_TOKENS.InstallEnvironment) private readonly env: InstallEnvironment,
    @inject(AGENT_TOKENS.Console) private readonly say: (line: string) => void,
  ) {}

  private sys(...parts: string[]): string {
    return this.env.root ? path.join(this.env.root, ...parts) : path.join(path.sep, ...parts);
  }

  /** Where things go on this platform. Config beside the data on Windows/macOS, under /etc on Linux. */
  plan(dataDir: string, extraEnv: Record<string, string> = {}): InstallPlan {
    const { platform, exeDir } = this.env;
    const configFile =
      platform === 'linux' ? this.sys('etc', SERVICE_NAME, 'agent.json') : path.join(dataDir, 'agent.json');
    const ffmpeg = path.join(exeDir, platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg');
    const spec: ServiceSpec = {
      name: SERVICE_NAME,
      description: DESCRIPTION,
      command: [...this.env.command, 'run', '--config', configFile],
      env: {
        ...(fs.existsSync(ffmpeg) ? { FFMPEG_PATH: ffmpeg } : {}),
        ...(platform === 'linux' ? { DESKREC_AGENT_DATA_DIR: dataDir } : {}),
        ...extraEnv,
      },
      dataDir,
    };
    if (platform === 'win32') {
      const wrapper = path.join(exeDir, `${SERVICE_NAME}-service.exe`);
      return {
        configFile,
        spec,
        definitionFile: path.join(exeDir, `${SERVICE_NAME}-service.xml`),
        definition: winswXml(spec),
        commands: [
          [wrapper, 'install'],
          [wrapper, 'start'],
        ],
      };
    }
    if (platform === 'darwin') {
      const file = this.sys('Library', 'LaunchDaemons', `${LAUNCHD_LABEL_PREFIX}${SERVICE_NAME}.plist`);
      return {
        configFile,
        spec,
        definitionFile: file,
        definition: launchdPlist(spec),
        commands: [['launchctl', 'bootstrap', 'system', file]],
      };
    }
    return {
      configFile,
      spec,
      definitionFile: this.sys('etc', 'systemd', 'system', `${SERVICE_NAME}.service`),
      definition: systemdUnit(spec),
      commands: [
        ['systemctl', 'daemon-reload'],
        ['systemctl', 'enable', '--now', `${SERVICE_NAME}.service`],
      ],
    };
  }

  /** `extraEnv`: the service's environment beyond the defaults (DISPLAY and XAUTHORITY for x11grab). */
  async install(
    config: AgentConfig,
    writeConfig: (file: string) => void,
    extraEnv: Record<string, string> = {},
  ): Promise<InstallResult> {
    const plan = this.plan(config.dataDir, extraEnv);
    if (this.env.platform === 'win32' && !fs.existsSync(plan.commands[0]![0]!)) {
      throw Object.assign(
        new Error(
          `${plan.commands[0]![0]} is missing: put WinSW (github.com/winsw/winsw/releases, WinSW-x64.exe) there under that name; the release archive ships it`,
        ),
        { code: 'ENOWRAPPER' },
      );
    }
    fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    writeConfig(plan.configFile);
    fs.mkdirSync(path.dirname(plan.definitionFile), { recursive: true });
    fs.writeFileSync(plan.definitionFile, plan.definition, { mode: 0o644 });
    this.say(`wrote ${plan.configFile} (owner-only) and ${plan.definitionFile}`);
    const startByHand = plan.spec.command.join(' ');
    if (this.env.root) {
      this.say(`staged under ${this.env.root}; nothing registered. The service runs: ${startByHand}`);
      return { ...plan, startByHand };
    }
    if (this.env.platform === 'linux' && !this.env.systemdRunning) {
      this.say(
        `systemd is not running on this machine, so nothing was registered; the unit is ready for a systemd machine. Start the agent by hand with: ${startByHand}`,
      );
      return { ...plan, startByHand };
    }
    for (const [cmd, ...args] of plan.commands) await this.env.run(cmd!, args);
    this.say(`service ${SERVICE_NAME} registered and started`);
    return plan;
  }

  /** Stops and removes the service and its definition; the config and data folder stay (identity, spool). */
  async uninstall(dataDir: string): Promise<string[]> {
    const plan = this.plan(dataDir);
    const commands: string[][] = this.env.root
      ? []
      : this.env.platform === 'win32'
        ? [
            [plan.commands[0]![0]!, 'stop'],
            [plan.commands[0]![0]!, 'uninstall'],
          ]
        : this.env.platform === 'darwin'
          ? [['launchctl', 'bootout', `system/${LAUNCHD_LABEL_PREFIX}${SERVICE_NAME}`]]
          : this.env.systemdRunning && !this.env.root
            ? [
                ['systemctl', 'disable', '--now', `${SERVICE_NAME}.service`],
                ['systemctl', 'daemon-reload'],
              ]
            : [];
    const problems: string[] = [];
    for (const [cmd, ...args] of commands) {
      // A service that is already stopped or gone is not a reason to keep its definition.
      await this.env
        .run(cmd!, args)
        .catch((error: Error) => problems.push(`${cmd} ${args.join(' ')}: ${error.message}`));
    }
    fs.rmSync(plan.definitionFile, { force: true });
    this.say(
      `service ${SERVICE_NAME} removed (${plan.definitionFile}); ${plan.configFile} and ${dataDir} are kept (identity and unsent recordings)`,
    );
    return problems;
  }
}
