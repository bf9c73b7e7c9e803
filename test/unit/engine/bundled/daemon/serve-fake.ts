/** A FakeEngine served on a unix socket in a temp dir, and a client of it: the daemon tests' harness. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineClient } from '../../../../../src/engine/bundled/daemon/client';
import { type EngineServer, serveEngine } from '../../../../../src/engine/bundled/daemon/server';
import { FakeEngine } from '../../../../../src/engine/fake/fake-engine';

export interface Served<E extends FakeEngine = FakeEngine> {
  readonly dir: string;
  readonly socket: string;
  readonly fake: E;
  readonly server: EngineServer;
  readonly client: EngineClient;
  /** Closes the client and the server and removes the temp dir. */
  cleanup(): Promise<void>;
}

export async function serveFake<E extends FakeEngine = FakeEngine>(fake: E = new FakeEngine() as E): Promise<Served<E>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-daemon-'));
  const socket = path.join(dir, 'engine.sock');
  const server = await serveEngine(fake, socket);
  const client = new EngineClient(socket);
  return {
    dir,
    socket,
    fake,
    server,
    client,
    cleanup: async () => {
      client.close();
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
