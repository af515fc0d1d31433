// The relay's headers as wire text: what nats.js itself would put on the wire for them (its
// own MsgHdrs, decoded back), what JetStream's publish adds through set(), and refusals.
import { headers, NatsError } from 'nats';
import { MsgHdrsImpl } from 'nats/lib/nats-base-client/headers';
import { WireHeaders } from '../src/relay/wire-headers';

const decode = (bytes: Uint8Array): Record<string, string> => {
  const h = MsgHdrsImpl.decode(bytes);
  return Object.fromEntries(h.keys().map((k) => [k, h.get(k)]));
};

describe('WireHeaders', () => {
  test('encodes as nats.js encodes the same headers', () => {
    const fields = { 'Keelson-Revision': '42', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'k=v' };
    const theirs = headers();
    for (const [k, v] of Object.entries(fields)) theirs.set(k, v);
    const ours = new WireHeaders(fields);
    expect(new TextDecoder().decode(ours.encode())).toBe(new TextDecoder().decode(theirs.encode()));
    expect(decode(ours.encode())).toEqual(fields);
  });

  test("what JetStream's publish set()s is appended; a name set again keeps one value, the last", () => {
    const h = new WireHeaders({ 'Keelson-Revision': '7' });
    h.set('Nats-Msg-Id', '7//registry/core/configmaps/default/a');
    h.set('Nats-Expected-Last-Sequence', '3');
    h.set('Keelson-Revision', ' 8 ');
    expect(decode(h.encode())).toEqual({ 'Nats-Msg-Id': '7//registry/core/configmaps/default/a', 'Nats-Expected-Last-Sequence': '3', 'Keelson-Revision': '8' });
    expect(h.toString().match(/Keelson-Revision/g)).toHaveLength(1);
  });

  test('CR or LF in a value, or a bad name, is refused as nats.js refuses it (BAD_HEADER), before anything is sent', () => {
    const h = new WireHeaders();
    expect(() => h.set('tracestate', 'a=b\r\nInjected: 1')).toThrow(NatsError);
    expect(() => h.set('tracestate', 'a=b\nx')).toThrow(expect.objectContaining({ code: 'BAD_HEADER' }));
    expect(() => h.set('Bad: Name', 'x')).toThrow(NatsError);
    expect(() => h.set('', 'x')).toThrow(NatsError);
    expect(h.toString()).toBe('NATS/1.0\r\n\r\n');
  });
});
