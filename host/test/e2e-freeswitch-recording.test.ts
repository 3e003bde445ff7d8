import { test } from 'uvu';
import type { AgentProcess } from './support/e2e-host.js';
import { recordTranscriptCall } from './support/orchestrator-e2e.js';
import { type OrchestratorHost, startOrchestratorHost } from './support/orchestrator-host.js';
import {
  eslPlainFrames,
  type PbxServer,
  startEslServer,
  transcriptParts,
} from './support/orchestrator-pbx.js';

let h: OrchestratorHost | undefined;
let esl: PbxServer | undefined;
let agent: AgentProcess | undefined;

test.after(async () => {
  await agent?.kill();
  await h?.stop();
  await esl?.close();
});

test('a FreeSWITCH event-socket dump records the bridged agent, stored and linked to the call', async () => {
  esl = await startEslServer('ClueCon');
  h = await startOrchestratorHost({
    callEvents: `{ use: freeswitch, id: pbx, options: { host: 127.0.0.1, port: ${esl.port}, password: ClueCon } }`,
  });
  const [bridged, hangup] = await transcriptParts(
    'pbx-freeswitch/test/dumps/inbound-answered.txt',
    'Event-Name: CHANNEL_HANGUP_COMPLETE',
  );
  agent = await recordTranscriptCall(h, esl, [eslPlainFrames(bridged), eslPlainFrames(hangup)], {
    callId: 'a1f0c5d2-1111-4c1e-9a01-000000000001',
    direction: 'inbound',
    from: '+15551230001',
  });
});

test.run();
