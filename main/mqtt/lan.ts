/**
 * The host's LAN addresses: what a board's sketch should use as the broker address when the broker
 * runs on this machine (a board cannot reach "localhost").
 */
import os from 'node:os';

export interface LanAddress {
  iface: string;
  address: string;
}

/** Non-internal IPv4 addresses, virtual bridges (docker, veth, virbr) last. */
export function lanAddresses(
  ifaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces(),
): LanAddress[] {
  const out: LanAddress[] = [];
  for (const [iface, infos] of Object.entries(ifaces)) {
    for (const info of infos ?? []) {
      if (info.family === 'IPv4' && !info.internal) out.push({ iface, address: info.address });
    }
  }
  const virtualIface = (n: string) => /^(docker|br-|veth|virbr|vmnet|vboxnet|lxc|cni|flannel)/.test(n);
  return out.sort((a, b) => Number(virtualIface(a.iface)) - Number(virtualIface(b.iface)));
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}
