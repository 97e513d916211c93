/**
 * A minimal WebSocket client for load generation: a plain TCP socket, frames built once and
 * written as-is (client frames must be masked; a zero mask leaves the payload unchanged, so a
 * frame can be reused), and incoming frames only delimited, not decoded. It costs the load process
 * a fraction of what the `ws` library does, so the server, not the load, is what gets measured.
 */
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

/** A masked (zero-key) text frame carrying `text`. */
export function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const n = payload.length;
  const header = n < 126 ? Buffer.from([0x81, 0x80 | n]) : n < 65_536 ? Buffer.from([0x81, 0x80 | 126, n >> 8, n & 255]) : null;
  if (!header) throw new Error('frame too large for the load client');
  return Buffer.concat([header, Buffer.alloc(4), payload]);
}

export interface RawWs {
  socket: Socket;
  send(frame: Buffer): void;
  close(): void;
}

/** Opens a WebSocket; `onFrame` gets each complete server frame's payload. */
export function openRawWs(port: number, path: string, onFrame: (payload: Buffer) => void): Promise<RawWs> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    let buffered: Buffer = Buffer.alloc(0);
    let upgraded = false;
    socket.once('error', reject);
    socket.on('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      if (!upgraded) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buffered.subarray(0, 12).toString().includes('101')) {
          reject(new Error(`upgrade refused: ${buffered.subarray(0, end).toString()}`));
          socket.destroy();
          return;
        }
        upgraded = true;
        buffered = buffered.subarray(end + 4);
        socket.off('error', reject);
        socket.on('error', () => {});
        resolve({ socket, send: (f: Buffer) => socket.write(f), close: () => socket.destroy() });
      }
      for (;;) {
        if (buffered.length < 2) return;
        let len = buffered[1]! & 127;
        let offset = 2;
        if (len === 126) {
          if (buffered.length < 4) return;
          len = buffered.readUInt16BE(2);
          offset = 4;
        } else if (len === 127) {
          if (buffered.length < 10) return;
          len = Number(buffered.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffered.length < offset + len) return;
        const opcode = buffered[0]! & 15;
        const payload = buffered.subarray(offset, offset + len);
        buffered = buffered.subarray(offset + len);
        if (opcode === 1) onFrame(payload);
        else if (opcode === 9) socket.write(Buffer.from([0x8a, 0x80, 0, 0, 0, 0])); // pong (empty)
      }
    });
  });
}
