/** What every platform's service definition is made from; the same values give the same service everywhere. */
export interface ServiceSpec {
  /** Service name: systemd unit, Windows service id, launchd label suffix. */
  name: string;
  description: string;
  /** The program and its arguments (the agent executable, `run --config FILE`). */
  command: string[];
  env: Record<string, string>;
  /** Working and log folder. */
  dataDir: string;
}

export const LAUNCHD_LABEL_PREFIX = 'com.deskrec.';

/** systemd quoting: a word with a space, quote or backslash is double-quoted with those escaped. */
const systemdWord = (w: string) =>
  /[\s"'\\$%]/.test(w) ? `"${w.replace(/[\\"]/g, '\\$&').replaceAll('%', '%%').replaceAll('$', '$$$$')}"` : w;

/** A systemd unit that starts the agent at boot after the network, restarts it on failure. */
export function systemdUnit(spec: ServiceSpec): string {
  const env = Object.entries(spec.env).map(([k, v]) => `Environment=${systemdWord(`${k}=${v}`)}`);
  return [
    '[Unit]',
    `Description=${spec.description}`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${spec.command.map(systemdWord).join(' ')}`,
    ...env,
    `WorkingDirectory=${systemdWord(spec.dataDir)}`,
    'Restart=on-failure',
    'RestartSec=5',
    // `run` stops the capture cleanly on SIGTERM; give the last segment time to be finalized.
    'KillSignal=SIGTERM',
    'TimeoutStopSec=30',
    'UMask=0077',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A launchd daemon plist (/Library/LaunchDaemons): runs at boot, kept alive, logs in the data folder. */
export function launchdPlist(spec: ServiceSpec): string {
  const args = spec.command.map((a) => `    <string>${xml(a)}</string>`);
  const env = Object.entries(spec.env).flatMap(([k, v]) => [
    `    <key>${xml(k)}</key>`,
    `    <string>${xml(v)}</string>`,
  ]);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    '  <key>Label</key>',
    `  <string>${xml(LAUNCHD_LABEL_PREFIX + spec.name)}</string>`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...args,
    '  </array>',
    '  <key>EnvironmentVariables</key>',
    '  <dict>',
    ...env,
    '  </dict>',
    '  <key>WorkingDirectory</key>',
    `  <string>${xml(spec.dataDir)}</string>`,
    '  <key>RunAtLoad</key>',
    '  <true/>',
    '  <key>KeepAlive</key>',
    '  <dict>',
    '    <key>SuccessfulExit</key>',
    '    <false/>',
    '  </dict>',
    '  <key>StandardErrorPath</key>',
    `  <string>${xml(`${spec.dataDir}/agent.err.log`)}</string>`,
    '  <key>StandardOutPath</key>',
    `  <string>${xml(`${spec.dataDir}/agent.out.log`)}</string>`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

/**
 * A WinSW service definition (github.com/winsw/winsw, MIT, maintained): Node's executable does not answer the
 * Service Control Manager itself, so a plain `sc.exe create` service would be killed after 30 s as "not
 * responding". WinSW is that answering wrapper; it stops the agent with Ctrl+C so the capture ends cleanly.
 */
export function winswXml(spec: ServiceSpec): string {
  const [executable, ...args] = spec.command;
  const quoted = args.map((a) => (/[\s"]/.test(a) ? `"${a.replace(/"/g, '\\"')}"` : a)).join(' ');
  return [
    '<service>',
    `  <id>${xml(spec.name)}</id>`,
    `  <name>${xml(spec.description)}</name>`,
    `  <description>${xml(spec.description)}</description>`,
    `  <executable>${xml(executable!)}</executable>`,
    `  <arguments>${xml(quoted)}</arguments>`,
    ...Object.entries(spec.env).map(([k, v]) => `  <env name="${xml(k)}" value="${xml(v)}"/>`),
    `  <workingdirectory>${xml(spec.dataDir)}</workingdirectory>`,
    '  <startmode>Automatic</startmode>',
    '  <delayedAutoStart>true</delayedAutoStart>',
    '  <stoptimeout>30 sec</stoptimeout>',
    '  <onfailure action="restart" delay="5 sec"/>',
    `  <logpath>${xml(`${spec.dataDir}\\logs`)}</logpath>`,
    '  <log mode="roll-by-size"><sizeThreshold>10240</sizeThreshold><keepFiles>5</keepFiles></log>',
    '</service>',
    '',
  ].join('\n');
}
