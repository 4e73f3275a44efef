/**
 * A local stand-in for the Hugging Face Hub: serves model folders under `/{model}/resolve/{revision}/{file}`
 * (the URL layout transformers.js requests with `env.remoteHost` + `{model}/resolve/{revision}/`).
 * Counts requests per file, answers Range requests like the Hub (transformers.js uses them for sizes),
 * and can misbehave like a real Hub on a bad day: cut a file off mid-body (a dropped connection), answer an
 * HTTP error (404, 500, …) for a file that exists, or go silent (no headers, or part of the body and then
 * nothing) until the client gives up.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';

export interface HubServer {
  /** `http://127.0.0.1:<port>/`, to use as `remoteHost`. */
  url: string;
  /** Requests per `<model>/<file>` (e.g. `test-org/tiny-bert/onnx/model.onnx`), Range requests included. */
  requests: Map<string, number>;
  /** Full-body (non-Range) requests per `<model>/<file>`: actual downloads. */
  downloads: Map<string, number>;
  requestCount(modelFile: string): number;
  downloadCount(modelFile: string): number;
  /** The next `times` full downloads of `modelFile` send `fraction` of the body, then drop the connection. */
  interrupt(modelFile: string, fraction?: number, times?: number): void;
  /** The next `times` requests of `modelFile` (any kind) are answered with HTTP `status` and no file. */
  fail(modelFile: string, status: number, times?: number): void;
  /**
   * The next `times` full downloads of `modelFile` go silent: with `fraction` undefined no headers are sent
   * at all; otherwise the headers and `fraction` of the body, then nothing (the connection stays open).
   */
  stall(modelFile: string, fraction?: number, times?: number): void;
  /** The next `times` full downloads of `modelFile` send the body in `chunks` pieces, `gapMs` apart (slow but moving). */
  trickle(modelFile: string, chunks: number, gapMs: number, times?: number): void;
  /** Requests now held open by `stall`. */
  stalledCount(): number;
  resetCounts(): void;
  stop(): Promise<void>;
}

export interface HubServerOptions {
  /** Model id → local folder in the Hub layout. */
  models: Record<string, string>;
  /** Only this revision exists (default `main`). */
  revision?: string;
  port?: number;
}

const bump = (m: Map<string, number>, key: string): void => {
  m.set(key, (m.get(key) ?? 0) + 1);
};

export async function startHubServer(options: HubServerOptions): Promise<HubServer> {
  const revision = options.revision ?? 'main';
  const requests = new Map<string, number>();
  const downloads = new Map<string, number>();
  const interruptions = new Map<string, { fraction: number; remaining: number }>();
  const failures = new Map<string, { status: number; remaining: number }>();
  const stalls = new Map<string, { fraction?: number; remaining: number }>();
  const held = new Set<ServerResponse>();
  const trickles = new Map<string, { chunks: number; gapMs: number; remaining: number }>();
  const sockets = new Set<Socket>();

  const resolveFile = (url: string): { key: string; path: string } | undefined => {
    const path = decodeURIComponent(new URL(url, 'http://x').pathname);
    for (const [id, folder] of Object.entries(options.models)) {
      const prefix = `/${id}/resolve/${revision}/`;
      if (!path.startsWith(prefix)) continue;
      const rel = path.slice(prefix.length);
      const file = normalize(join(folder, rel));
      if (!file.startsWith(normalize(folder) + sep)) return undefined;
      return { key: `${id}/${rel}`, path: file };
    }
    return undefined;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const found = resolveFile(req.url ?? '/');
    if (found) bump(requests, found.key);
    if (!found || !existsSync(found.path) || !statSync(found.path).isFile()) {
      // The Hub answers 401 for unknown repositories and 404 for unknown files; 404 is enough here.
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found');
      return;
    }
    const failure = failures.get(found.key);
    if (failure && failure.remaining > 0) {
      failure.remaining--;
      res.writeHead(failure.status, { 'content-type': 'text/plain' }).end(`simulated HTTP ${failure.status}`);
      return;
    }
    const body = readFileSync(found.path);
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(range[2] ? Number(range[2]) : body.length - 1, body.length - 1);
      res.writeHead(206, { 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${body.length}`, 'accept-ranges': 'bytes' });
      res.end(req.method === 'HEAD' ? undefined : body.subarray(start, end + 1));
      return;
    }
    bump(downloads, found.key);
    const headers = { 'content-length': body.length, 'content-type': 'application/octet-stream' };
    if (req.method === 'HEAD') {
      res.writeHead(200, headers).end();
      return;
    }
    const stall = stalls.get(found.key);
    if (stall && stall.remaining > 0) {
      stall.remaining--;
      held.add(res);
      res.on('close', () => held.delete(res));
      if (stall.fraction !== undefined) res.writeHead(200, headers).write(body.subarray(0, Math.floor(body.length * stall.fraction)));
      return;
    }
    res.writeHead(200, headers);
    const slow = trickles.get(found.key);
    if (slow && slow.remaining > 0) {
      slow.remaining--;
      const size = Math.ceil(body.length / slow.chunks);
      let sent = 0;
      const next = (): void => {
        if (res.destroyed) return;
        res.write(body.subarray(sent, sent + size));
        sent += size;
        if (sent >= body.length) res.end();
        else setTimeout(next, slow.gapMs);
      };
      next();
      return;
    }
    const cut = interruptions.get(found.key);
    if (cut && cut.remaining > 0) {
      cut.remaining--;
      res.write(body.subarray(0, Math.floor(body.length * cut.fraction)), () => {
        // Let the partial body reach the client before the connection drops.
        setTimeout(() => res.socket?.destroy(), 20);
      });
      return;
    }
    res.end(body);
  };

  const server = createServer(handle);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolveListen) => server.listen(options.port ?? 0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    downloads,
    requestCount: (k) => requests.get(k) ?? 0,
    downloadCount: (k) => downloads.get(k) ?? 0,
    interrupt(modelFile, fraction = 0.5, times = 1) {
      interruptions.set(modelFile, { fraction, remaining: times });
    },
    fail(modelFile, status, times = 1) {
      failures.set(modelFile, { status, remaining: times });
    },
    stall(modelFile, fraction, times = 1) {
      stalls.set(modelFile, { fraction, remaining: times });
    },
    trickle(modelFile, chunks, gapMs, times = 1) {
      trickles.set(modelFile, { chunks, gapMs, remaining: times });
    },
    stalledCount: () => held.size,
    resetCounts() {
      requests.clear();
      downloads.clear();
    },
    stop: () =>
      new Promise<void>((resolveClose) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolveClose());
      }),
  };
}
