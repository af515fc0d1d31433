// Boolean query parameters read as kube-apiserver reads them (runtime.Convert_Slice_string_To_bool).
import { booleanParamOf } from '../src/handlers/params';
import { parseResourcePath } from '../src/http/request-info';

const q = (s: string) => new URLSearchParams(s);

test('"false" and "0" in any case are false; every other value, empty included, is true', () => {
  for (const v of ['true', 'True', 'TRUE', '1', 't', 'T', 'yes', '']) expect([v, booleanParamOf(q(`watch=${v}`), 'watch')]).toEqual([v, true]);
  for (const v of ['false', 'False', 'FALSE', 'fAlSe', '0']) expect([v, booleanParamOf(q(`watch=${v}`), 'watch')]).toEqual([v, false]);
  expect(booleanParamOf(q('watch'), 'watch')).toBe(true);
});

test('an absent parameter is undefined, so a handler can tell it from an explicit false', () => {
  expect(booleanParamOf(q('other=true'), 'sendInitialEvents')).toBeUndefined();
});

test('Python\'s watch=True selects the watch verb, watch=False the list', () => {
  expect(parseResourcePath('GET', '/api/v1/namespaces/a/configmaps', q('watch=True'))?.verb).toBe('watch');
  expect(parseResourcePath('GET', '/api/v1/namespaces/a/configmaps', q('watch=False'))?.verb).toBe('list');
  // A named GET is a get whatever its query, as kube's RequestInfoFactory reads it.
  expect(parseResourcePath('GET', '/api/v1/namespaces/a/configmaps/x', q('watch=True'))?.verb).toBe('get');
});
