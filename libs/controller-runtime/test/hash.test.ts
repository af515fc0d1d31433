import { fnv32, fnv32a, hashControllerRevision, safeEncodeString } from '../src';

describe('controller hashing', () => {
  test('FNV-32 and FNV-32a match the reference vectors', () => {
    expect(fnv32(Buffer.from(''))).toBe(0x811c9dc5);
    expect(fnv32(Buffer.from('a'))).toBe(0x050c5d7e);
    expect(fnv32(Buffer.from('foobar'))).toBe(0x31f0b262);
    expect(fnv32a(Buffer.from(''))).toBe(0x811c9dc5);
    expect(fnv32a(Buffer.from('a'))).toBe(0xe40c292c);
    expect(fnv32a(Buffer.from('foobar'))).toBe(0xbf9cf968);
  });

  test('a hash continues from a seed as if the bytes were concatenated', () => {
    expect(fnv32(Buffer.from('bar'), fnv32(Buffer.from('foo')))).toBe(fnv32(Buffer.from('foobar')));
    expect(fnv32a(Buffer.from('bar'), fnv32a(Buffer.from('foo')))).toBe(fnv32a(Buffer.from('foobar')));
  });

  test('SafeEncodeString maps each byte onto the vowel-free alphabet', () => {
    // '0'..'9' are bytes 48..57; 48 % 27 = 21 → '4' (index 21 of bcdfghjklmnpqrstvwxz2456789)
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
  });

  test('a ControllerRevision hash is FNV-32 of its data, then the collision count, safely encoded', () => {
    const data = { spec: { template: { $patch: 'replace' } } };
    expect(hashControllerRevision(data)).toBe(safeEncodeString(String(fnv32(Buffer.from('{"spec":{"template":{"$patch":"replace"}}}')))));
    expect(hashControllerRevision(data, 1)).toBe(safeEncodeString(String(fnv32(Buffer.from('1'), fnv32(Buffer.from('{"spec":{"template":{"$patch":"replace"}}}'))))));
    expect(hashControllerRevision(data, 1)).not.toBe(hashControllerRevision(data));
  });
});
