import fs from 'node:fs/promises';
import { encode, tone } from './g711-encode.js';

/**
 * Writes a classic libpcap file (Ethernet, IPv4, UDP) holding an RTP stream of a G.711 µ-law tone in 20 ms
 * packets, as sipp's `play_pcap_audio` replays it (it keeps the payloads and timing, and rewrites addresses).
 */
export async function writeTonePcap(file: string, seconds: number, frequency = 440): Promise<void> {
  const chunks: Buffer[] = [];
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(1, 20);
  chunks.push(global);
  const packets = Math.round(seconds * 50);
  for (let i = 0; i < packets; i++) {
    const rtp = Buffer.alloc(12 + 160);
    rtp[0] = 0x80;
    rtp[1] = i === 0 ? 0x80 : 0;
    rtp.writeUInt16BE(i & 0xffff, 2);
    rtp.writeUInt32BE(i * 160, 4);
    rtp.writeUInt32BE(0x5eed, 8);
    encode('PCMU', tone(frequency, i * 160, 160)).copy(rtp, 12);
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(6000, 0);
    udp.writeUInt16BE(6000, 2);
    udp.writeUInt16BE(8 + rtp.length, 4);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + 8 + rtp.length, 2);
    ip.writeUInt16BE(i & 0xffff, 4);
    ip[8] = 64;
    ip[9] = 17;
    ip.set([127, 0, 0, 1], 12);
    ip.set([127, 0, 0, 1], 16);
    let sum = 0;
    for (let j = 0; j < 20; j += 2) sum += ip.readUInt16BE(j);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    ip.writeUInt16BE(~sum & 0xffff, 10);
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const frame = Buffer.concat([eth, ip, udp, rtp]);
    const record = Buffer.alloc(16);
    const t = i * 20_000;
    record.writeUInt32LE(Math.floor(t / 1e6), 0);
    record.writeUInt32LE(t % 1e6, 4);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    chunks.push(record, frame);
  }
  await fs.writeFile(file, Buffer.concat(chunks));
}
