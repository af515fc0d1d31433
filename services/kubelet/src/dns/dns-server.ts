// The node's cluster DNS server, on the pod bridge's address port 53 (UDP and TCP), as
// NodeLocal DNSCache serves on a node-local address: pods of this node get it as their
// nameserver (runtime/sandbox/resolv-conf.ts). Names of the cluster zone are answered from the
// informers (cluster-zone.ts); every other query is relayed as it came to the nameservers of the
// kubelet's own /etc/resolv.conf (CoreDNS's `forward . /etc/resolv.conf`), SERVFAIL if none answers.
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect, createServer, isIPv6, type Server } from 'node:net';
import type { Logger } from '@keelson/telemetry';
import { parseResolvConf } from '../runtime/sandbox/resolv-conf';
import type { ClusterZone } from './cluster-zone';
import { DnsFormatError, encodeResponse, errorResponse, parseQuery, RCODE } from './wire';

const UPSTREAM_TIMEOUT_MS = 2000;
const TCP_IDLE_MS = 10_000;

export interface ClusterDnsOptions {
  zone: ClusterZone;
  log: Logger;
  /** Where other names are asked, `ip` or `ip:port` (default: this host's /etc/resolv.conf nameservers). */
  upstreams?: string[];
  /** 53 unless a test says otherwise. */
  port?: number;
}

export class ClusterDnsServer {
  private readonly listeners = new Map<string, { udp: Socket; tcp: Server }>();
  private readonly upstreams: Upstream[];
  private readonly port: number;

  constructor(private readonly opts: ClusterDnsOptions) {
    this.port = opts.port ?? 53;
    this.upstreams = (opts.upstreams ?? parseResolvConf(safeRead('/etc/resolv.conf')).nameservers).map(upstreamOf);
  }

  /** Serves on `address` (the bridge's); a second call for an address already served is a no-op. */
  async listen(address: string): Promise<void> {
    if (this.listeners.has(address)) return;
    const udp = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4' });
    udp.on('message', (msg, rinfo) => {
      void this.handle(msg, false).then((out) => {
        if (out) udp.send(out, rinfo.port, rinfo.address);
      });
    });
    udp.on('error', (err) => this.opts.log.warn('cluster DNS (udp) error', { address, err: String(err) }));
    await new Promise<void>((ok, fail) => {
      udp.once('error', fail);
      udp.bind(this.port, address, () => {
        udp.off('error', fail);
        ok();
      });
    });
    const tcp = createServer((sock) => {
      sock.setTimeout(TCP_IDLE_MS, () => sock.destroy());
      sock.on('error', () => sock.destroy());
      sock.on('data', tcpMessages((msg) => {
        void this.handle(msg, true).then((out) => {
          if (out && !sock.destroyed) sock.write(tcpFrame(out));
        });
      }));
    });
    try {
      await new Promise<void>((ok, fail) => {
        tcp.once('error', fail);
        tcp.listen(this.port, address, () => {
          tcp.off('error', fail);
          ok();
        });
      });
    } catch (err) {
      udp.close();
      throw err;
    }
    this.listeners.set(address, { udp, tcp });
    this.opts.log.info('cluster DNS serving', { address, port: this.port, domain: this.opts.zone.domain, upstreams: this.upstreams.map((u) => `${u.host}:${u.port}`) });
  }

  /** The answer to one query (undefined: nothing to send back). */
  async handle(raw: Buffer, tcp: boolean): Promise<Buffer | undefined> {
    let q;
    try {
      q = parseQuery(raw);
    } catch (err) {
      return err instanceof DnsFormatError ? errorResponse(raw, RCODE.FORMERR) : undefined;
    }
    const limit = tcp ? 65535 : (q.udpSize ?? 512);
    if (q.opcode !== 0) return encodeResponse(q, { rcode: RCODE.NOTIMP, aa: false, answers: [] }, limit);
    const answer = this.opts.zone.answer(q.question);
    if (answer) return encodeResponse(q, answer, limit);
    return (await this.forward(raw, tcp)) ?? encodeResponse(q, { rcode: RCODE.SERVFAIL, aa: false, answers: [] }, limit);
  }

  private async forward(raw: Buffer, tcp: boolean): Promise<Buffer | undefined> {
    // Never ourselves (a host whose resolv.conf names this address would loop).
    for (const server of this.upstreams.filter((u) => !(this.listeners.has(u.host) && u.port === this.port))) {
      try {
        const answer = tcp ? await askTcp(server, raw) : await askUdp(server, raw);
        if (answer) return answer;
      } catch { /* the next one */ }
    }
    return undefined;
  }

  async close(): Promise<void> {
    for (const { udp, tcp } of this.listeners.values()) {
      udp.close();
      await new Promise<void>((ok) => tcp.close(() => ok()));
    }
    this.listeners.clear();
  }
}

interface Upstream { host: string; port: number }

function upstreamOf(s: string): Upstream {
  const m = /^\[(.+)\]:(\d+)$/.exec(s) ?? (isIPv6(s) ? undefined : /^(.+):(\d+)$/.exec(s));
  return m ? { host: m[1], port: Number(m[2]) } : { host: s, port: 53 };
}

/** A DNS message as TCP carries it: behind its 16-bit length (RFC 1035 4.2.2). */
function tcpFrame(msg: Buffer): Buffer {
  const b = Buffer.alloc(2 + msg.length);
  b.writeUInt16BE(msg.length);
  msg.copy(b, 2);
  return b;
}

/** A TCP stream's `data` handler that hands on each whole length-prefixed message. */
function tcpMessages(onMessage: (msg: Buffer) => void): (d: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      const msg = Buffer.from(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      buf = buf.subarray(2 + msg.length);
      onMessage(msg);
    }
  };
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function askUdp(server: Upstream, raw: Buffer): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
    let finished = false;
    const done = (b: Buffer | undefined): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      sock.close();
      resolve(b);
    };
    const timer = setTimeout(() => done(undefined), UPSTREAM_TIMEOUT_MS);
    sock.on('error', () => done(undefined));
    // Only the answer to this query (its ID), from that server.
    sock.on('message', (msg, rinfo) => {
      if (rinfo.address === server.host && msg.length >= 2 && msg.readUInt16BE(0) === raw.readUInt16BE(0)) done(msg);
    });
    sock.send(raw, server.port, server.host);
  });
}

function askTcp(server: Upstream, raw: Buffer): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = connect(server.port, server.host);
    const done = (b: Buffer | undefined): void => {
      sock.destroy();
      resolve(b);
    };
    sock.setTimeout(UPSTREAM_TIMEOUT_MS, () => done(undefined));
    sock.on('error', () => done(undefined));
    sock.on('connect', () => sock.write(tcpFrame(raw)));
    sock.on('data', tcpMessages(done));
    sock.on('end', () => done(undefined));
  });
}
