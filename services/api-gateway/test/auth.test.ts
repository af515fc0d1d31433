import type { IncomingMessage } from 'node:http';
import { ApiError } from '@keelson/api';
import { TokenAuthenticator } from '../src/http/auth';

const req = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as IncomingMessage;

const auth = TokenAuthenticator.fromCsv('# comment\nt0ken,admin,u1,"system:masters,devs"\nsvc-token,system:keelson:scheduler,u2\n');

test('a known bearer token yields the user with its groups', () => {
  expect(auth.authenticate(req('Bearer t0ken'))).toEqual({ name: 'admin', uid: 'u1', groups: ['system:masters', 'devs', 'system:authenticated'] });
  expect(auth.authenticate(req('bearer svc-token')).name).toBe('system:keelson:scheduler');
});

test.each([undefined, 'Bearer nope', 'Basic dXNlcjpwYXNz', 'Bearer'])('%s is 401', (header) => {
  try {
    auth.authenticate(req(header));
    throw new Error('accepted');
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe(401);
  }
});

test('a malformed token file is refused at start', () => {
  expect(() => TokenAuthenticator.fromCsv('onlytoken\n')).toThrow(/token,user,uid/);
});
