import type { ControllerStatus } from '../../api/deps.js';
import type { PortalDeps } from '../deps.js';

interface Listening {
  address: string;
  port: number;
}

/** The parts of the controller's status() the page reads; anything else it reports is ignored. */
interface ControllerFacts {
  listening: { tcp: Listening | null; tls: Listening | null };
  tlsFingerprint256: string | null;
}

function factsOf(status: ControllerStatus | undefined): ControllerFacts | undefined {
  const listening = status?.listening as Partial<ControllerFacts['listening']> | undefined;
  if (!status || !listening) return undefined;
  return {
    listening: { tcp: listening.tcp ?? null, tls: listening.tls ?? null },
    tlsFingerprint256: typeof status.tlsFingerprint256 === 'string' ? status.tlsFingerprint256 : null,
  };
}

const TRACE_DEPTH: Record<number, string> = {
  1: 'errors only',
  2: 'warnings and errors',
  3: 'information',
  4: 'debug',
  5: 'everything (trace)',
};

function Port(props: {
  kind: 'tcp' | 'tls';
  facts: ControllerFacts | undefined;
  configured: number | undefined;
}) {
  const live = props.facts?.listening[props.kind];
  if (live) {
    const differs =
      props.configured !== undefined && props.configured !== 0 && props.configured !== live.port;
    return (
      <dd>
        <span class="mono" data-port={props.kind}>
          {live.port}
        </span>{' '}
        <span class="muted">
          on {live.address}
          {differs ? ` (configured ${props.configured}; this host asked the system for a free port)` : ''}
        </span>
      </dd>
    );
  }
  if (props.configured === 0) return <dd class="muted">Off (port 0 in the configuration)</dd>;
  return <dd class="muted">Not listening{props.configured ? ` (configured ${props.configured})` : ''}</dd>;
}

/**
 * Host-wide settings that come from the configuration file, not from this tenant's settings: shown so an
 * admin can give agents the right ports and the certificate fingerprint to pin, and see where traces go.
 */
export function HostSettings(props: { deps: PortalDeps }) {
  const { hostConfig } = props.deps;
  let facts: ControllerFacts | undefined;
  try {
    facts = factsOf(props.deps.hooks.status?.());
  } catch {
    facts = undefined;
  }
  const controller = hostConfig?.controller;
  const trace = hostConfig?.log.trace;
  const where = hostConfig ? `the host configuration (${hostConfig.source})` : 'the host configuration file';
  return (
    <section class="panel" aria-labelledby="host-h">
      <h2 class="section" id="host-h">
        Agent connections
      </h2>
      <p class="muted">
        Agents connect to these ports (SERVER1/SERVER2 with USE_SSL). They are set in {where} under{' '}
        <span class="mono">controller</span> and take effect when the host restarts.
      </p>
      <dl class="dl">
        <dt>Controller TCP port</dt>
        <Port kind="tcp" facts={facts} configured={controller?.tcpPort} />
        <dt>Controller TLS port</dt>
        <Port kind="tls" facts={facts} configured={controller?.tlsPort} />
        <dt>TLS certificate fingerprint (SHA-256)</dt>
        {facts?.tlsFingerprint256 ? (
          <dd>
            <span class="mono" id="tls-fingerprint">
              {facts.tlsFingerprint256}
            </span>{' '}
            <button class="btn small" type="button" data-copy="tls-fingerprint">
              Copy
            </button>
            <p class="help">
              Agents pin this certificate on their first TLS connection. To pin it up front, set the agent’s
              controller.fingerprint (or DESKREC_FINGERPRINT) to this value; compare it with what
              “deskrec-agent doctor” prints.
            </p>
          </dd>
        ) : (
          <dd class="muted">No TLS listener, so there is no certificate to pin</dd>
        )}
        {controller ? (
          <>
            <dt>Certificate</dt>
            <dd class="mono">{controller.tlsCertFile}</dd>
            <dt>Client certificates</dt>
            <dd>
              {controller.tlsCaFile ? (
                <>
                  Required, signed by <span class="mono">{controller.tlsCaFile}</span>
                </>
              ) : (
                'Not required (agents are admitted by token and workstation secret)'
              )}
            </dd>
          </>
        ) : null}
      </dl>
      <h2 class="section" id="trace-h">
        Trace log
      </h2>
      {trace && hostConfig ? (
        <>
          <dl class="dl" aria-labelledby="trace-h">
            <dt>Trace file</dt>
            <dd data-trace-enabled={trace.enabled ? 'yes' : 'no'}>
              {trace.enabled ? (
                <>
                  Written to <span class="mono">{trace.file}</span>
                </>
              ) : (
                'Off'
              )}
            </dd>
            <dt>Trace depth</dt>
            <dd>
              {trace.level}: {TRACE_DEPTH[trace.level]}
            </dd>
            <dt>Rotation</dt>
            <dd>
              A new file at {trace.rotateSize}
              {trace.rotateFrequency ? ` or ${trace.rotateFrequency}` : ''}; the last {trace.keep} files are
              kept
            </dd>
            <dt>Console depth</dt>
            <dd>
              {hostConfig.log.level}: {TRACE_DEPTH[hostConfig.log.level]}
            </dd>
          </dl>
          <p class="help">
            Set under <span class="mono">log.trace</span> in {where}; applied when the host restarts. The
            System log page shows recent lines down to debug depth without a trace file.
          </p>
        </>
      ) : (
        <p class="muted">
          Set under <span class="mono">log.trace</span> (enabled, file, level 1–5, rotateSize, keep) in{' '}
          {where}; applied when the host restarts. The System log page shows recent lines without a trace
          file.
        </p>
      )}
    </section>
  );
}
