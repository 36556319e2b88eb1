import { afterEach, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { createMetricsRegistry } from './metrics.js';
import { defaultOpsHost, startOpsServer } from './ops-server.js';

const started: FastifyInstance[] = [];
const saved = process.env.NP_OPS_HOST;

afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.close()));
  if (saved === undefined) delete process.env.NP_OPS_HOST;
  else process.env.NP_OPS_HOST = saved;
});

async function listeningAddress(host?: string): Promise<string> {
  const app = await startOpsServer({ port: 0, registry: createMetricsRegistry('test'), checks: [], ...(host === undefined ? {} : { host }) });
  started.push(app);
  return (app.server.address() as AddressInfo).address;
}

describe('where the ops endpoints listen', () => {
  it('is loopback unless NP_OPS_HOST says otherwise', () => {
    expect(defaultOpsHost({})).toBe('127.0.0.1');
    expect(defaultOpsHost({ NP_OPS_HOST: ' ' })).toBe('127.0.0.1');
    expect(defaultOpsHost({ NP_OPS_HOST: '0.0.0.0' })).toBe('0.0.0.0');
  });

  it('binds every address in a pod (NP_OPS_HOST=0.0.0.0, set by the operator), so the kubelet probes reach it', async () => {
    process.env.NP_OPS_HOST = '0.0.0.0';
    expect(await listeningAddress()).toBe('0.0.0.0');
  });

  it('binds loopback by default, and a host the caller passes wins', async () => {
    delete process.env.NP_OPS_HOST;
    expect(await listeningAddress()).toBe('127.0.0.1');
    process.env.NP_OPS_HOST = '0.0.0.0';
    expect(await listeningAddress('127.0.0.1')).toBe('127.0.0.1');
  });
});
