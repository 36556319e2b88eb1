import { InProcessTransport } from '../src/index.js';
import { testLogger } from './support.js';
import { transportContract } from './transport-contract.js';

transportContract('InProcessTransport', async () => {
  const transport = new InProcessTransport(testLogger);
  await transport.start();
  return { client: transport, server: transport, close: () => transport.close() };
});
