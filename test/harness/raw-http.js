// One HTTP exchange on a raw socket, for requests fetch() would refuse to send or would rewrite
// (malformed request lines, dot segments, oversized headers, bodies that never finish). Plain
// JavaScript so unit specs, the e2e suite and scripts can all load it.
import { connect } from 'node:net';

/**
 * @typedef {object} RawResponse
 * @property {number} status
 * @property {Record<string, string>} headers lower-cased names
 * @property {Record<string, unknown>} body the JSON body, `{}` when empty
 */

/**
 * Writes `text` to the server at `baseUrl` and reads what it answers until it closes the connection.
 * @param {string} baseUrl @param {string} text @returns {Promise<RawResponse>}
 */
export function rawExchange(baseUrl, text) {
  return new Promise((resolve, reject) => {
    const socket = connect({ port: Number(new URL(baseUrl).port), host: '127.0.0.1' });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      received += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = received.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: body === '' ? {} : JSON.parse(body) });
    });
    socket.write(text);
  });
}
