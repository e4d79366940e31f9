import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAddress, isProxySpec } from './client-address.ts';

describe('isProxySpec', () => {
  it('takes addresses, CIDRs and the named ranges, nothing else', () => {
    for (const good of ['loopback', 'uniquelocal', '10.1.2.3', '10.0.0.0/8', '::1', 'fd00::/8', '0.0.0.0/0'])
      expect(isProxySpec(good), good).toBe(true);
    for (const bad of [
      'localhost',
      '10.0.0.0/33',
      '::/129',
      '10.0.0.0/8/8',
      '10.0.0.0/',
      '10.0.0.0/x',
      '300.1.1.1',
      '',
    ])
      expect(isProxySpec(bad), bad).toBe(false);
  });
});

describe('clientAddress over a real socket from 127.0.0.1', () => {
  const servers: Array<ReturnType<typeof createServer>> = [];
  const urls: Record<string, string> = {};
  const settings: Record<string, string[]> = {
    none: [],
    loopback: ['loopback'],
    elsewhere: ['10.0.0.0/8'],
  };

  beforeAll(async () => {
    for (const [name, trusted] of Object.entries(settings)) {
      const clients = clientAddress(trusted);
      const server = createServer((req, res) =>
        res.end(JSON.stringify({ client: clients.of(req), proxy: clients.fromTrustedProxy(req) })),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      urls[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    }
  });
  afterAll(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

  const ask = async (name: string, forwardedFor?: string) => {
    const headers: Record<string, string> = forwardedFor ? { 'x-forwarded-for': forwardedFor } : {};
    return (await fetch(urls[name] as string, { headers })).json();
  };

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    expect(await ask('none', '203.0.113.7')).toEqual({ client: '127.0.0.1', proxy: false });
  });

  it('ignores X-Forwarded-For from a peer outside the trusted ranges', async () => {
    expect(await ask('elsewhere', '203.0.113.7')).toEqual({ client: '127.0.0.1', proxy: false });
  });

  it('believes a trusted proxy, only as far as the first untrusted hop', async () => {
    expect(await ask('loopback', '203.0.113.7')).toEqual({ client: '203.0.113.7', proxy: true });
    // A client that prepends a made-up address: the proxy appended the real one, which wins.
    expect(await ask('loopback', '198.51.100.1, 203.0.113.7')).toEqual({
      client: '203.0.113.7',
      proxy: true,
    });
    expect(await ask('loopback')).toEqual({ client: '127.0.0.1', proxy: true });
  });
});
