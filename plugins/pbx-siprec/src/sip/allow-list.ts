import net from 'node:net';

/** An allow list from addresses and CIDR ranges (IPv4 and IPv6), validated by the options schema. */
export function allowList(entries: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const type = net.isIPv6(address) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

export function isAllowed(list: net.BlockList, address: string): boolean {
  const v4 = address.replace(/^::ffff:/, '');
  return net.isIPv4(v4) ? list.check(v4, 'ipv4') : list.check(address, 'ipv6');
}
