import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkListenHost, isLocalAddress, listen } from './listen.ts';
import { StartupError } from './startup-error.ts';

const interfaces = {
  lo: [{ address: '127.0.0.1' }, { address: '::1' }],
  eth0: [{ address: '192.0.2.2' }, { address: 'fe80::fc:ff:fe00:1' }],
} as unknown as Parameters<typeof isLocalAddress>[1];

describe('isLocalAddress', () => {
  it('accepts the wildcards, loopback and the interfaces’ addresses', () => {
    for (const address of [
      '0.0.0.0',
      '::',
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '192.0.2.2',
      '::ffff:192.0.2.2',
    ]) {
      expect(isLocalAddress(address, interfaces), address).toBe(true);
    }
    expect(isLocalAddress('FE80::FC:FF:FE00:1%eth0', interfaces)).toBe(true);
  });

  it('refuses any other address', () => {
    for (const address of ['10.255.255.1', '192.0.2.3', '2001:db8::1', '::ffff:10.0.0.1']) {
      expect(isLocalAddress(address, interfaces), address).toBe(false);
    }
  });
});

describe('checkListenHost / listen', () => {
  it('takes localhost and refuses an address of another machine, naming HOST', async () => {
    await expect(checkListenHost('localhost')).resolves.toBeUndefined();
    await expect(checkListenHost('10.255.255.1')).rejects.toMatchObject({
      name: 'StartupError',
      setting: 'HOST',
      message: 'HOST 10.255.255.1 is not an address of this machine',
    });
  });

  it('turns a port in use into a StartupError naming PORT', async () => {
    const first = createServer();
    const { port } = await listen(first, 0, '127.0.0.1');
    try {
      const error = await listen(createServer(), port, '127.0.0.1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StartupError);
      expect(error).toMatchObject({ setting: 'PORT', code: 'EADDRINUSE' });
    } finally {
      first.close();
    }
  });
});

describe('checkListenHost for the metrics listener', () => {
  it('names METRICS_HOST', async () => {
    await expect(checkListenHost('10.255.255.1', 'METRICS_HOST')).rejects.toMatchObject({
      setting: 'METRICS_HOST',
      message: 'METRICS_HOST 10.255.255.1 is not an address of this machine',
    });
  });
});
