import { isPublicAddress, OutboundPolicy, OutboundRefused } from './outbound-policy';

describe('outbound address policy (SPEC §5a)', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '0.0.0.0',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '192.0.2.1',
    '::',
    '::1',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    '2002:a00:1::1',
    'not-an-ip',
  ])('refuses %s', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it.each(['8.8.8.8', '203.0.114.1', '2606:4700::1111', '::ffff:8.8.8.8'])('allows %s', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it('refuses a literal private address unless its host is listed, and resolves names itself', () => {
    const policy = new OutboundPolicy(['idp.intranet.test', '127.0.0.1:8443']);
    expect(() => policy.httpOptionsFor(new URL('http://127.0.0.1:9000/'))).toThrow(OutboundRefused);
    expect(() => policy.httpOptionsFor(new URL('http://[::1]/'))).toThrow(OutboundRefused);
    expect(policy.httpOptionsFor(new URL('https://127.0.0.1:8443/')).lookup).toBeUndefined();
    expect(policy.httpOptionsFor(new URL('https://idp.intranet.test/')).lookup).toBeUndefined();
    expect(policy.httpOptionsFor(new URL('https://idp.example.com/')).lookup).toBeDefined();
  });

  it('its lookup refuses a name that resolves to loopback', async () => {
    const { lookup } = new OutboundPolicy([]).httpOptionsFor(new URL('https://localhost/'));
    const error = await new Promise<unknown>((resolve) =>
      lookup!('localhost', {}, (failure) => resolve(failure)),
    );
    expect(error).toBeInstanceOf(OutboundRefused);
  });
});
