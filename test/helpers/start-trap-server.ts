import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TrapServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Requests received: a test expects none. */
  hits(): number;
  close(): Promise<void>;
}

/** A loopback server nobody should call: a session webhook pointing here must never be requested. */
export async function startTrapServer(): Promise<TrapServer> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
