import { advertiseIp } from '../src/advertise';

describe('advertiseIp', () => {
  it('keeps an IP as it is', async () => {
    await expect(advertiseIp('10.1.2.3')).resolves.toBe('10.1.2.3');
    await expect(advertiseIp('::1')).resolves.toBe('::1');
  });
  it('resolves a host name (a compose service name) to its IPv4 address', async () => {
    await expect(advertiseIp('localhost')).resolves.toBe('127.0.0.1');
  });
  it('fails for a name that does not resolve, instead of registering it', async () => {
    await expect(advertiseIp('no-such-host.invalid')).rejects.toThrow(/ENOTFOUND|EAI_AGAIN/);
  });
});
