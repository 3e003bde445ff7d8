export interface ControllerAddress {
  host: string;
  port: number;
}

/** `host:port`, `[v6]:port` or a bare host (the port then depends on TLS: 6092 with TLS, 6091 without). */
export function parseAddress(value: string, tls: boolean): ControllerAddress {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  const plain = /^([^:\s/]+)(?::(\d+))?$/.exec(value);
  const match = v6 ?? plain;
  if (!match) throw new Error(`"${value}" is not host:port`);
  const port = match[2] === undefined ? (tls ? 6092 : 6091) : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`port ${match[2]} is not 1–65535`);
  return { host: match[1]!, port };
}
