// The HTTP/2 `:path` of a request: the client's own paths go out as built, anything else as
// WHATWG URL resolution against the server's URL would send it.
import fc from 'fast-check';
import { requestTarget } from '../src/transport';

const base = new URL('https://127.0.0.1:6443/');
const viaUrl = (p: string): string => {
  const u = new URL(p, base);
  return u.pathname + u.search;
};

test('the paths the client builds are sent as they are', () => {
  for (const p of [
    '/api/v1/namespaces/default/pods/web-7d4b9c-x2k4q/status?fieldManager=kubelet',
    '/apis/apps.example.com/v1/namespaces/a/widgets?labelSelector=app%3Dweb%2Ctier%20in%20(a%2Cb)&limit=500',
    '/api/v1/namespaces/default/pods/p/binding',
    '/version',
  ]) {
    expect(requestTarget(p, base)).toBe(p);
    expect(requestTarget(p, base)).toBe(viaUrl(p));
  }
});

test('dot segments, doubled slashes, spaces, quotes and non-ASCII go through URL resolution', () => {
  for (const p of ['/api/v1/../v1/pods', '/api/./v1', '/a b?c d', "/a?x='y'", '/ä/ö', '/a/b/.', '/x?y=<z>']) {
    expect(requestTarget(p, base)).toBe(viaUrl(p));
  }
});

test('for any path the result is what URL resolution gives', () => {
  const chars = fc.constantFrom(...'abcXYZ019-._~%!$&\'()*+,;=:@/?# "<>\\^`{|}ä'.split(''));
  fc.assert(
    fc.property(fc.array(chars, { maxLength: 30 }).map((cs) => '/' + cs.join('')), (p) => {
      let expected: string;
      try {
        expected = viaUrl(p);
      } catch {
        // Not a URL at all (e.g. `/\\` makes it protocol-relative): refused the same way.
        expect(() => requestTarget(p, base)).toThrow(/Invalid URL/);
        return;
      }
      expect(requestTarget(p, base)).toBe(expected);
    }),
    { numRuns: 2000 },
  );
});
