// A message's NATS headers as their wire text, built once. nats.js's own MsgHdrs keeps a Map of
// arrays, and each set() scans every key twice (findKeys, for delete then append), canonicalises
// the name and tests the value with a regex; encode() then joins it all into a new string: in a
// sampling profile of the relay at 1,000 events/s that was 18 % of everything it allocated
// (≈ 6 KB per event), and the relay's young-generation collections, made of that garbage, are
// its latency tail. The relay's headers are a handful of distinct names, so the text is
// appended as they come and encoded once.
//
// The relay's events carry `Nats-Msg-Id` and `Nats-Expected-Last-Sequence` set here too
// (ordered-publisher.ts); the RESYNC marker goes through js.publish(), which set()s them. Either
// way the connection only encode()s the result; nothing reads it back. Names and values are
// checked as nats.js checks values (no CR or LF; values trimmed).
import { ErrorCode, NatsError, type MsgHdrs } from 'nats';

const encoder = new TextEncoder();
const INVALID = /[\r\n]/;
const HEAD = 'NATS/1.0';

export class WireHeaders {
  private text = HEAD;

  constructor(fields: Record<string, string> = {}) {
    for (const k in fields) this.set(k, fields[k]);
  }

  /** Adds `name: value`, replacing an earlier value of the name. */
  set(name: string, value: string): void {
    if (!name || INVALID.test(name) || name.includes(':') || INVALID.test(value)) {
      throw new NatsError(`invalid header ${JSON.stringify(name)}: names and values may not hold CR or LF, names no ':'`, ErrorCode.BadHeader);
    }
    const line = `\r\n${name}: `;
    if (this.text.includes(line)) this.text = HEAD + this.text.slice(HEAD.length).split('\r\n').filter((l) => l && !l.startsWith(`${name}: `)).map((l) => `\r\n${l}`).join('');
    this.text += line + value.trim();
  }

  toString(): string {
    return `${this.text}\r\n\r\n`;
  }

  encode(): Uint8Array {
    return encoder.encode(this.toString());
  }

  /** What nats.js's publish options take (of which it calls set() and encode()). */
  asMsgHdrs(): MsgHdrs {
    return this as unknown as MsgHdrs;
  }
}
