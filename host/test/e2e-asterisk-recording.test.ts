import { test } from 'uvu';
import type { AgentProcess } from './support/e2e-host.js';
import { recordTranscriptCall } from './support/orchestrator-e2e.js';
import { type OrchestratorHost, startOrchestratorHost } from './support/orchestrator-host.js';
import { type PbxServer, startAmiServer, transcriptParts } from './support/orchestrator-pbx.js';

let h: OrchestratorHost | undefined;
let ami: PbxServer | undefined;
let agent: AgentProcess | undefined;

test.after(async () => {
  await agent?.kill();
  await h?.stop();
  await ami?.close();
});

test('an Asterisk AMI transcript records the bridged agent, stored and linked to the call', async () => {
  ami = await startAmiServer('ami-secret');
  h = await startOrchestratorHost({
    callEvents: `{ use: asterisk, id: pbx, options: { host: 127.0.0.1, port: ${ami.port}, username: deskrec, secret: ami-secret, trunkChannelPatterns: ['^PJSIP/provider-trunk-'] } }`,
  });
  const parts = await transcriptParts(
    'pbx-asterisk/test/transcripts/inbound-answered.txt',
    'Event: HangupRequest',
  );
  agent = await recordTranscriptCall(h, ami, parts, {
    callId: '1700000100.1',
    direction: 'inbound',
    from: '+15551230001',
  });
});

test.run();
