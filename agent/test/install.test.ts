import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import { createAgentContainer } from '../src/app/composition-root.js';
import { configFromFlags, writeServiceConfig } from '../src/install/install-options.js';
import { launchdPlist, systemdUnit, winswXml } from '../src/install/service-definitions.js';
import { type InstallEnvironment, ServiceInstaller } from '../src/install/service-installer.js';

const spec = {
  name: 'deskrec-agent',
  description: 'deskrec agent',
  command: ['/opt/deskrec agent/deskrec-agent', 'run', '--config', '/etc/deskrec-agent/agent.json'],
  env: { FFMPEG_PATH: '/opt/deskrec agent/ffmpeg', DESKREC_AGENT_DATA_DIR: '/var/lib/deskrec-agent' },
  dataDir: '/var/lib/deskrec-agent',
};

test('systemd: ExecStart quotes paths with spaces, environment and restart policy are set', () => {
  const unit = systemdUnit(spec);
  const lines = unit.split('\n');
  assert.ok(
    lines.includes('ExecStart="/opt/deskrec agent/deskrec-agent" run --config /etc/deskrec-agent/agent.json'),
    unit,
  );
  assert.ok(lines.includes('Environment="FFMPEG_PATH=/opt/deskrec agent/ffmpeg"'));
  assert.ok(lines.includes('Environment=DESKREC_AGENT_DATA_DIR=/var/lib/deskrec-agent'));
  for (const expected of [
    'Restart=on-failure',
    'After=network-online.target',
    'WantedBy=multi-user.target',
    'KillSignal=SIGTERM',
  ])
    assert.ok(lines.includes(expected), expected);
  assert.deepEqual(
    lines.filter((l) => l.startsWith('[')),
    ['[Unit]', '[Service]', '[Install]'],
  );
});

test('launchd: a daemon plist with the label, arguments one per string, escaped, kept alive', () => {
  const plist = launchdPlist({ ...spec, env: { A: 'x<&>y' } });
  assert.match(plist, /<key>Label<\/key>\n {2}<string>com\.deskrec\.deskrec-agent<\/string>/);
  assert.match(
    plist,
    /<key>ProgramArguments<\/key>\n {2}<array>\n {4}<string>\/opt\/deskrec agent\/deskrec-agent<\/string>\n {4}<string>run<\/string>\n {4}<string>--config<\/string>/,
  );
  assert.match(plist, /<key>A<\/key>\n {4}<string>x&lt;&amp;&gt;y<\/string>/);
  assert.match(plist, /<key>RunAtLoad<\/key>\n {2}<true\/>/);
  assert.match(plist, /<key>SuccessfulExit<\/key>\n {4}<false\/>/);
  // Every opened element is closed: the plist is well formed.
  const tags = [...plist.matchAll(/<(\/?)(dict|array|plist)\b[^>]*>/g)].map((m) => `${m[1]}${m[2]}`);
  const stack: string[] = [];
  for (const t of tags) {
    if (t.startsWith('/')) assert.equal(stack.pop(), t.slice(1));
    else stack.push(t);
  }
  assert.deepEqual(stack, []);
});

test('windows: a WinSW service with automatic start, restart on failure, quoted arguments', () => {
  const xml = winswXml({
    ...spec,
    command: [
      'C:\\Program Files\\deskrec\\deskrec-agent.exe',
      'run',
      '--config',
      'C:\\ProgramData\\deskrec\\agent\\agent.json',
    ],
    dataDir: 'C:\\ProgramData\\deskrec\\agent',
  });
  assert.match(xml, /<id>deskrec-agent<\/id>/);
  assert.match(xml, /<executable>C:\\Program Files\\deskrec\\deskrec-agent\.exe<\/executable>/);
  assert.match(xml, /<arguments>run --config C:\\ProgramData\\deskrec\\agent\\agent\.json<\/arguments>/);
  assert.match(xml, /<startmode>Automatic<\/startmode>/);
  assert.match(xml, /<onfailure action="restart" delay="5 sec"\/>/);
  assert.match(xml, /<env name="FFMPEG_PATH" value="\/opt\/deskrec agent\/ffmpeg"\/>/);
});

test('install flags: validated, errors name the flag, paths absolute', () => {
  assert.throws(() => configFromFlags({ 'tenant-token': 'x'.repeat(20) }), /--server1/);
  assert.throws(() => configFromFlags({ server1: 'h', 'tenant-token': 'short' }), /--tenant-token/);
  assert.throws(
    () => configFromFlags({ server1: 'h', 'tenant-token': 'x'.repeat(20), 'use-ssl': 'yes please' }),
    /--use-ssl: expected 1 or 0/,
  );
  const config = configFromFlags(
    {
      server1: 'pbx.example:6092',
      server2: 'b:6092',
      'tenant-token': 'x'.repeat(20),
      'use-ssl': '1',
      'tls-cert': 'c.pem',
      'tls-key': 'k.pem',
      'data-dir': 'data',
    },
    '/srv',
  );
  assert.equal(config.controller.tls, true);
  assert.equal(config.controller.tlsCert, '/srv/c.pem');
  assert.equal(config.dataDir, '/srv/data');
});

function machine(platform: NodeJS.Platform, systemdRunning: boolean) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'deskrec-install-'));
  const exeDir = path.join(root, 'opt');
  fs.mkdirSync(exeDir);
  fs.writeFileSync(path.join(exeDir, 'ffmpeg'), '');
  const ran: string[] = [];
  const env: InstallEnvironment = {
    platform,
    root: '',
    command: [path.join(exeDir, 'deskrec-agent')],
    exeDir,
    systemdRunning,
    run: async (cmd, args) => {
      ran.push([cmd, ...args].join(' '));
      return '';
    },
  };
  const said: string[] = [];
  const installer = createAgentContainer(undefined, {
    installEnvironment: env,
    console: (l) => said.push(l),
  }).resolve(ServiceInstaller);
  return { root, ran, said, installer, env };
}

test('linux with systemd: unit written, daemon-reload and enable --now; uninstall disables and removes it', async () => {
  const m = machine('linux', true);
  const config = configFromFlags({
    server1: 'h',
    'tenant-token': 'x'.repeat(20),
    'data-dir': path.join(m.root, 'data'),
  });
  // A real root prefix would be '' here; the plan's system paths are checked, not written.
  const plan = m.installer.plan(config.dataDir);
  assert.equal(plan.definitionFile, '/etc/systemd/system/deskrec-agent.service');
  assert.equal(plan.configFile, '/etc/deskrec-agent/agent.json');
  assert.deepEqual(plan.spec.env.FFMPEG_PATH, path.join(m.root, 'opt', 'ffmpeg'));
  assert.deepEqual(plan.commands, [
    ['systemctl', 'daemon-reload'],
    ['systemctl', 'enable', '--now', 'deskrec-agent.service'],
  ]);
});

test('linux staged under DESTDIR: config owner-only, unit in place, no service manager call; uninstall removes the unit', async () => {
  const m = machine('linux', true);
  m.env.root = path.join(m.root, 'stage');
  const flags = {
    server1: '10.0.0.5',
    'tenant-token': 'x'.repeat(20),
    'data-dir': path.join(m.root, 'data'),
  };
  const config = configFromFlags(flags);
  const result = await m.installer.install(config, (file) => writeServiceConfig(file, config, flags), {
    DISPLAY: ':0',
    XAUTHORITY: '/home/jdoe/.Xauthority',
  });
  assert.deepEqual(m.ran, []);
  const unit = path.join(m.env.root, 'etc/systemd/system/deskrec-agent.service');
  const configFile = path.join(m.env.root, 'etc/deskrec-agent/agent.json');
  assert.ok(
    fs
      .readFileSync(unit, 'utf8')
      .includes(`ExecStart=${path.join(m.root, 'opt', 'deskrec-agent')} run --config ${configFile}`),
  );
  assert.match(
    fs.readFileSync(unit, 'utf8'),
    /^Environment=DISPLAY=:0\nEnvironment=XAUTHORITY=\/home\/jdoe\/\.Xauthority$/m,
  );
  assert.equal(fs.statSync(configFile).mode & 0o777, 0o600);
  assert.deepEqual(JSON.parse(fs.readFileSync(configFile, 'utf8')).controller, {
    primary: '10.0.0.5',
    tls: false,
  });
  assert.equal(result.startByHand, `${path.join(m.root, 'opt', 'deskrec-agent')} run --config ${configFile}`);
  await m.installer.uninstall(config.dataDir);
  assert.equal(fs.existsSync(unit), false);
  assert.equal(fs.existsSync(configFile), true, 'the config and identity stay for a reinstall');
});

test('macOS: plist in LaunchDaemons, bootstrap / bootout', async () => {
  const m = machine('darwin', false);
  const plan = m.installer.plan('/Library/Application Support/deskrec');
  assert.equal(plan.definitionFile, '/Library/LaunchDaemons/com.deskrec.deskrec-agent.plist');
  assert.deepEqual(plan.commands, [['launchctl', 'bootstrap', 'system', plan.definitionFile]]);
  await m.installer.uninstall('/nonexistent-deskrec');
  assert.deepEqual(m.ran, ['launchctl bootout system/com.deskrec.deskrec-agent']);
});

test('windows: WinSW beside the executable installs and starts; without it, a clear error', async () => {
  const m = machine('win32', false);
  const config = configFromFlags({
    server1: 'h',
    'tenant-token': 'x'.repeat(20),
    'data-dir': path.join(m.root, 'data'),
  });
  await assert.rejects(
    m.installer.install(config, () => {}),
    /deskrec-agent-service\.exe is missing: put WinSW/,
  );
  const wrapper = path.join(m.root, 'opt', 'deskrec-agent-service.exe');
  fs.writeFileSync(wrapper, '');
  await m.installer.install(config, (file) => writeServiceConfig(file, config, {}));
  assert.deepEqual(m.ran, [`${wrapper} install`, `${wrapper} start`]);
  assert.match(
    fs.readFileSync(path.join(m.root, 'opt', 'deskrec-agent-service.xml'), 'utf8'),
    /<arguments>run --config /,
  );
});

test.run();
