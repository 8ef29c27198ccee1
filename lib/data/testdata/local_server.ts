/**
 * Test helper: a real HTTP server on 127.0.0.1 (random port) that serves
 * fixed routes, can fail with a status, or stall before the headers or in
 * the middle of a body. Used by download_test.ts and assets_test.ts so the
 * real download code runs against real sockets.
 *
 * @module
 */

/** How the server answers one path. */
export interface Route {
  /** HTTP status. @default 200 */
  status?: number;
  /** Body bytes (or text). @default empty */
  body?: Uint8Array | string;
  /** Send only this many body bytes, then stall forever (never close). */
  stallAfterBytes?: number;
  /** Never send the response headers. */
  stallBeforeHeaders?: boolean;
}

/** A running test server; `close()` it in a `finally`. */
export interface LocalServer {
  /** `http://127.0.0.1:<port>` without a trailing slash. */
  base: string;
  /** Paths requested so far, in order (as sent, percent-encoded). */
  hits: string[];
  /** Stops stalled responses and shuts the server down. */
  close(): Promise<void>;
}

/** Starts a server answering `routes` (keyed by path, e.g. `/a/b.csv`); other paths get 404. */
export function startServer(routes: Record<string, Route>): LocalServer {
  const hits: string[] = [];
  const releases = new Set<() => void>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      const path = new URL(req.url).pathname;
      hits.push(path);
      const route = routes[path];
      if (route === undefined) {
        return new Response("no such file", { status: 404 });
      }
      if (route.stallBeforeHeaders) {
        // Held until close(); the client's abort alone does not end it.
        await new Promise<void>((resolve) => releases.add(resolve));
        return new Response("released", { status: 503 });
      }
      const body = typeof route.body === "string"
        ? new TextEncoder().encode(route.body)
        : route.body ?? new Uint8Array(0);
      if (route.stallAfterBytes === undefined) {
        return new Response(body.slice(), { status: route.status ?? 200 });
      }
      const head = body.slice(0, route.stallAfterBytes);
      let release: () => void = () => {};
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(head);
          release = () => {
            try {
              controller.close();
            } catch { /* already cancelled by the client */ }
          };
          releases.add(release);
        },
        cancel() {
          releases.delete(release);
        },
      });
      return new Response(stream, {
        status: route.status ?? 200,
        headers: { "content-length": String(body.length) },
      });
    },
  );
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    hits,
    async close() {
      for (const release of releases) release();
      releases.clear();
      await server.shutdown();
    },
  };
}

/**
 * A fetch that sends every request for `https://<host>/<path>` to
 * `<base>/<host>/<path>` instead, so a manifest's real origin URLs can be
 * served by a {@link startServer} server.
 */
export function rewritingFetch(base: string): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    return fetch(`${base}/${url.host}${url.pathname}`, init);
  };
}
