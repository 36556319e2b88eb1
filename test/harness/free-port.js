import { connect, createServer } from 'node:net';

/**
 * A TCP port free on loopback right now (the OS picks it). It lies in the ephemeral range, unlike
 * any fixed default: it is free when picked, and between this close and the child's own bind
 * Linux hands outgoing connections even ports first and bind(0) odd ones, so they rarely meet.
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address) resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** Whether something accepts connections on a loopback port. @returns {Promise<boolean>} */
export function portOpen(port) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
