/**
 * Whether an engine daemon answers on a unix socket: `absent` (no socket file), `dead` (a file
 * nobody listens on: a daemon that died), or `alive` (something accepted and answered — or
 * accepted and stayed silent, which counts as alive: better refuse than steal its socket).
 */
import * as net from 'node:net';

export type SocketState = 'absent' | 'dead' | 'alive';

export function probeSocket(socketPath: string, timeoutMs = 2_000): Promise<SocketState> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ path: socketPath });
    let settled = false;
    const finish = (state: SocketState): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(state);
    };
    const timer = setTimeout(() => finish('alive'), timeoutMs);
    socket.once('connect', () => socket.write('GET /_ping HTTP/1.1\r\nHost: engine\r\nConnection: close\r\n\r\n'));
    socket.once('data', () => finish('alive'));
    socket.once('end', () => finish('alive'));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') finish('absent');
      else if (err.code === 'ECONNREFUSED' || err.code === 'ENOTSOCK') finish('dead');
      else finish('alive');
    });
  });
}
