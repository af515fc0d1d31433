// The address space Services draw from: the service CIDR (cluster IPs) and the node port
// range, parsed from the gateway's configuration. IPv4 only, as Keelson serves single-stack.
import { isIPv4 } from 'node:net';

export class ServiceCIDR {
  /** First address of the block (the network address), as a 32-bit number. */
  readonly base: number;
  /** Number of addresses in the block, network and broadcast included. */
  readonly size: number;

  constructor(readonly cidr: string) {
    const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr.trim());
    if (!m || !isIPv4(m[1]) || Number(m[2]) > 30 || Number(m[2]) < 8) {
      throw new Error(`invalid service CIDR ${JSON.stringify(cidr)}: want an IPv4 block between /8 and /30, e.g. 10.96.0.0/12`);
    }
    const bits = Number(m[2]);
    this.size = 2 ** (32 - bits);
    this.base = Math.floor(ipToNumber(m[1]) / this.size) * this.size;
  }

  /** The `n`-th address of the block (0 = network address). */
  at(n: number): string {
    return numberToIp(this.base + n);
  }

  /** Offset of `ip` in the block, or undefined when outside it. */
  offsetOf(ip: string): number | undefined {
    if (!isIPv4(ip)) return undefined;
    const off = ipToNumber(ip) - this.base;
    return off >= 0 && off < this.size ? off : undefined;
  }

  /** Allocatable: neither the network nor the broadcast address (as kube's IPv4 allocator). */
  isAllocatable(ip: string): boolean {
    const off = this.offsetOf(ip);
    return off !== undefined && off > 0 && off < this.size - 1;
  }

  /** The first usable address, which kube-apiserver gives the `kubernetes` Service. */
  get first(): string {
    return this.at(1);
  }
}

export class NodePortRange {
  readonly min: number;
  readonly max: number;

  constructor(readonly text: string) {
    const m = /^(\d+)-(\d+)$/.exec(text.trim());
    const min = m ? Number(m[1]) : NaN;
    const max = m ? Number(m[2]) : NaN;
    if (!m || min < 1 || max > 65535 || min > max) throw new Error(`invalid node port range ${JSON.stringify(text)}: want MIN-MAX, e.g. 30000-32767`);
    this.min = min;
    this.max = max;
  }

  get size(): number {
    return this.max - this.min + 1;
  }

  contains(port: number): boolean {
    return port >= this.min && port <= this.max;
  }
}

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}
