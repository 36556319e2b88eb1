import { connect as connectTcp, type Socket } from 'node:net';

/**
 * Opens an AMQP 0-9-1 connection by hand up to `connection.open` and returns what the broker
 * answered: `open-ok`, or the code and text of its `connection.close`. amqplib reports a refused
 * vhost only as "Expected ConnectionOpenOk; got <ConnectionClose channel:0>"; the broker's own
 * words (`NOT_ALLOWED - access to vhost ... refused for user ...`) are what a test should assert.
 */
export async function amqpOpen(url: string): Promise<'open-ok' | { code: number; text: string }> {
  const target = new URL(url);
  const socket = connectTcp({ host: target.hostname, port: Number(target.port || 5672) });
  const frames = frameReader(socket);
  try {
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'));
    expectMethod(await frames.next(), 10, 10); // connection.start
    const capabilities = table({ authentication_failure_close: true });
    const response = `\0${decodeURIComponent(target.username)}\0${decodeURIComponent(target.password)}`;
    sendMethod(socket, 10, 11, [table({ capabilities }), shortString('PLAIN'), longString(response), shortString('en_US')]);
    const tune = await frames.next();
    if (isClose(tune)) return closeOf(tune);
    expectMethod(tune, 10, 30);
    const channelMax = tune.readUInt16BE(4);
    const frameMax = tune.readUInt32BE(6);
    sendMethod(socket, 10, 31, [u16(channelMax), u32(frameMax), u16(0)]);
    sendMethod(socket, 10, 40, [shortString(decodeURIComponent(target.pathname.slice(1))), shortString(''), Buffer.from([0])]);
    const answer = await frames.next();
    if (isClose(answer)) return closeOf(answer);
    expectMethod(answer, 10, 41);
    return 'open-ok';
  } finally {
    socket.destroy();
  }
}

/** Method payloads (class, method, arguments) of the frames the broker sends, one at a time. */
function frameReader(socket: Socket): { next: () => Promise<Buffer> } {
  let buffered = Buffer.alloc(0);
  const waiting: ((payload: Buffer) => void)[] = [];
  const ready: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 7 && buffered.length >= 8 + buffered.readUInt32BE(3)) {
      const size = buffered.readUInt32BE(3);
      const payload = buffered.subarray(7, 7 + size);
      buffered = buffered.subarray(8 + size);
      const waiter = waiting.shift();
      if (waiter) waiter(payload);
      else ready.push(payload);
    }
  });
  return {
    next: () =>
      new Promise<Buffer>((resolve, reject) => {
        const payload = ready.shift();
        if (payload) return resolve(payload);
        waiting.push(resolve);
        socket.once('close', () => reject(new Error('the broker closed the socket')));
      }),
  };
}

function expectMethod(payload: Buffer, classId: number, methodId: number): void {
  if (payload.readUInt16BE(0) !== classId || payload.readUInt16BE(2) !== methodId) {
    throw new Error(`expected method ${classId}.${methodId}, got ${payload.readUInt16BE(0)}.${payload.readUInt16BE(2)}`);
  }
}

function isClose(payload: Buffer): boolean {
  return payload.readUInt16BE(0) === 10 && payload.readUInt16BE(2) === 50;
}

function closeOf(payload: Buffer): { code: number; text: string } {
  const length = payload.readUInt8(6);
  return { code: payload.readUInt16BE(4), text: payload.subarray(7, 7 + length).toString('utf8') };
}

function sendMethod(socket: Socket, classId: number, methodId: number, args: Buffer[]): void {
  const payload = Buffer.concat([u16(classId), u16(methodId), ...args]);
  socket.write(Buffer.concat([Buffer.from([1]), u16(0), u32(payload.length), payload, Buffer.from([0xce])]));
}

function u16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value);
  return buffer;
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

function shortString(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

function longString(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  return Buffer.concat([u32(bytes.length), bytes]);
}

/** A field table of booleans and nested tables (all the handshake needs). */
function table(fields: Record<string, boolean | Buffer>): Buffer {
  const entries = Object.entries(fields).map(([name, value]) =>
    Buffer.concat([shortString(name), typeof value === 'boolean' ? Buffer.from([0x74, value ? 1 : 0]) : Buffer.concat([Buffer.from([0x46]), value])]),
  );
  const body = Buffer.concat(entries);
  return Buffer.concat([u32(body.length), body]);
}
