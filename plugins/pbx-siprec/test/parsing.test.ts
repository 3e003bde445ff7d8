import assert from 'node:assert/strict';
import { test } from 'uvu';
import {
  ALAW_TABLE,
  bodyParts,
  parseRsMetadata,
  parseSdp,
  SiprecOptionsSchema,
  ULAW_TABLE,
} from '../src/index.js';
import { linearToAlaw, linearToUlaw } from './helpers/g711-encode.js';

// The metadata example of RFC 7865 §10 (shortened to one session and two participants, as SBCs send it).
const RFC7865 = `<?xml version="1.0" encoding="UTF-8"?>
<recording xmlns='urn:ietf:params:xml:ns:recording:1'>
  <datamode>complete</datamode>
  <group group_id="7+OTCyoxTmqmqyA/1weDAg==">
    <associate-time>2010-12-16T23:41:07Z</associate-time>
  </group>
  <session session_id="hVpd7YQgRW2nD22h7q60JQ==">
    <sipSessionID>ab30317f1a784dc48ff824d0d3715d86;remote=47755a9de7794ba387653f2099600ef2</sipSessionID>
    <group-ref>7+OTCyoxTmqmqyA/1weDAg==</group-ref>
  </session>
  <participant participant_id="srfBElmCRp2QB23b7Mpk0w==">
    <nameID aor="sip:bob@biloxi.com"><name xml:lang="it">Bob</name></nameID>
  </participant>
  <participant participant_id="zSfPoSvdSDCmU3A3TRDxAw==">
    <nameID aor="sip:2001@pbx.example.com"><name xml:lang="en">Alice</name></nameID>
  </participant>
  <stream stream_id="UAAMm5GRQzM1Ag==" session_id="hVpd7YQgRW2nD22h7q60JQ=="><label>96</label></stream>
  <stream stream_id="i1Pz3to5hGk8fuXl+PbwCw==" session_id="hVpd7YQgRW2nD22h7q60JQ=="><label>97</label></stream>
  <participantstreamassoc participant_id="srfBElmCRp2QB23b7Mpk0w==">
    <send>i1Pz3to5hGk8fuXl+PbwCw==</send><recv>UAAMm5GRQzM1Ag==</recv>
  </participantstreamassoc>
  <participantstreamassoc participant_id="zSfPoSvdSDCmU3A3TRDxAw==">
    <send>UAAMm5GRQzM1Ag==</send><recv>i1Pz3to5hGk8fuXl+PbwCw==</recv>
  </participantstreamassoc>
</recording>`;

test('rs-metadata: session id, start time, participants with AOR, name and the streams they send', () => {
  const m = parseRsMetadata(RFC7865);
  assert.equal(m.sessionId, 'ab30317f1a784dc48ff824d0d3715d86');
  assert.equal(m.startedAt?.toISOString(), '2010-12-16T23:41:07.000Z');
  assert.deepEqual(
    m.participants.map((p) => [p.aor, p.name, p.sends]),
    [
      ['sip:bob@biloxi.com', 'Bob', ['i1Pz3to5hGk8fuXl+PbwCw==']],
      ['sip:2001@pbx.example.com', 'Alice', ['UAAMm5GRQzM1Ag==']],
    ],
  );
  assert.equal(m.streamLabels.get('UAAMm5GRQzM1Ag=='), '96');
});

test('rs-metadata: not XML, no root, a DOCTYPE: each refused with the reason', () => {
  assert.throws(() => parseRsMetadata('<recording><x></recording>'), /not well-formed/);
  assert.throws(() => parseRsMetadata('<other/>'), /no <recording> root/);
  assert.throws(
    () => parseRsMetadata('<!DOCTYPE r [<!ENTITY a "aaaa">]><recording>&a;</recording>'),
    /DOCTYPE/,
  );
});

test('SDP: streams with labels, session-level connection and direction, rtpmap', () => {
  const o = parseSdp(
    'v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\na=sendonly\r\nm=audio 4000 RTP/AVP 8 0\r\na=label:1\r\nm=audio 4002 RTP/AVP 0\r\nc=IN IP4 10.0.0.2\r\na=label:2\r\n',
  );
  assert.equal(o.media.length, 2);
  assert.deepEqual(
    [o.media[0]?.port, o.media[0]?.label, o.media[0]?.address, o.media[0]?.direction],
    [4000, '1', '10.0.0.1', 'sendonly'],
  );
  assert.equal(o.media[1]?.address, '10.0.0.2');
  assert.throws(() => parseSdp('o=missing version'), /v=0/);
  assert.throws(() => parseSdp('v=0\r\nm=audio port RTP/AVP 0\r\n'), /m= line/);
});

test('multipart/mixed: parts found with and without quotes around the boundary, preamble allowed', () => {
  const body = Buffer.from(
    'preamble\r\n--b1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n\r\n--b1\r\nContent-Type: application/rs-metadata+xml\r\n\r\n<recording/>\r\n--b1--\r\n',
  );
  const parts = bodyParts('multipart/mixed; boundary="b1"', body);
  assert.deepEqual(
    parts.map((p) => [p.type, p.content.toString()]),
    [
      ['application/sdp', 'v=0\r\n'],
      ['application/rs-metadata+xml', '<recording/>'],
    ],
  );
  assert.throws(() => bodyParts('multipart/mixed;boundary=b2', body), /without its boundary/);
});

test('G.711: decoding a µ-law/A-law encoded ramp stays within the codec step', () => {
  for (let x = -32000; x <= 32000; x += 97) {
    const u = ULAW_TABLE[linearToUlaw(x)] as number;
    const a = ALAW_TABLE[linearToAlaw(x)] as number;
    const step = Math.max(16, Math.abs(x) / 16);
    assert.ok(Math.abs(u - x) <= step, `µ-law ${x} → ${u}`);
    assert.ok(Math.abs(a - x) <= step, `A-law ${x} → ${a}`);
  }
});

test('options: defaults, and errors that name the option', () => {
  const o = SiprecOptionsSchema.parse({});
  assert.equal(o.host, '127.0.0.1');
  assert.equal(o.port, 5060);
  assert.equal(o.rtpTimeoutSeconds, 30);
  const bad = SiprecOptionsSchema.safeParse({
    agentPattern: '(',
    rtpPortMin: 50000,
    rtpPortMax: 40000,
    udp: 'yes',
  });
  assert.ok(!bad.success);
  const paths = bad.error.issues.map((i) => i.path.join('.'));
  assert.ok(paths.includes('agentPattern') && paths.includes('udp'), paths.join(','));
  const range = SiprecOptionsSchema.safeParse({ rtpPortMin: 50000, rtpPortMax: 40000 });
  assert.ok(!range.success && range.error.issues[0]?.path.join('.') === 'rtpPortMax');
  const allow = SiprecOptionsSchema.safeParse({
    allowFrom: ['10.0.0.0/8', 'pbx.example.com', '10.0.0.1/33'],
  });
  assert.ok(!allow.success);
  assert.deepEqual(
    allow.error.issues.map((i) => i.path.join('.')),
    ['allowFrom.1', 'allowFrom.2'],
  );
  const none = SiprecOptionsSchema.safeParse({ udp: false, tcp: false });
  assert.ok(!none.success && /at least one/.test(none.error.issues[0]?.message ?? ''));
});

test.run();
