// A counting HTTP proxy in front of docker-registry: the scanner talks to the proxy, so a test can assert
// what the registry was asked for ("no blob GET during a re-match") independently of the client's own
// counters. When the registry is down, the proxy drops the connection like a dead host would.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyRequest {
  method: string;
  path: string;
}

export interface CountingProxy {
  host: string;
  requests: ProxyRequest[];
  /** GETs of `/v2/<repo>/blobs/<digest>`, with the digest. */
  blobGets(): Array<{ repository: string; digest: string }>;
  /** Called for every request before it is forwarded. */
  onRequest?: (r: ProxyRequest) => void;
  /** While true, every request's connection is dropped (the registry host is gone). */
  down: boolean;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const [upHost, upPort] = upstream.split(':');
  const proxy: CountingProxy = {
    host: '',
    requests: [],
    down: false,
    blobGets() {
      return this.requests
        .filter((r) => r.method === 'GET')
        .map((r) => /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/.exec(r.path.split('?')[0] ?? ''))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ repository: m[1] ?? '', digest: m[2] ?? '' }));
    },
    reset() {
      this.requests.length = 0;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
  const server: Server = createServer((req, res) => {
    const r = { method: req.method ?? 'GET', path: req.url ?? '/' };
    proxy.requests.push(r);
    proxy.onRequest?.(r);
    if (proxy.down) {
      req.socket.destroy();
      return;
    }
    const up = request(
      { host: upHost, port: Number(upPort), method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        upRes.on('error', () => res.destroy());
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
