import http from 'node:http';

export interface SubgraphAnswer {
  status: number;
  body: string;
}

export interface SubgraphDoubles {
  /** each subgraph's URL on the doubles */
  urls: Record<string, string>;
  close(): Promise<void>;
}

/** One HTTP server per subgraph name, answering each POST with `answer(subgraph, body, headers)`. */
export async function startSubgraphDoubles(names: readonly string[], answer: (subgraph: string, body: string, headers: http.IncomingHttpHeaders) => Promise<SubgraphAnswer>): Promise<SubgraphDoubles> {
  const servers: http.Server[] = [];
  const urls: Record<string, string> = {};
  for (const name of names) {
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        answer(name, Buffer.concat(chunks).toString('utf8'), request.headers).then(
          ({ status, body }) => {
            response.writeHead(status, { 'content-type': 'application/json' });
            response.end(body);
          },
          (error: Error) => {
            response.writeHead(500, { 'content-type': 'application/json' });
            response.end(JSON.stringify({ errors: [{ message: error.message }] }));
          },
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    urls[name] = `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`;
  }
  return {
    urls,
    close: async () => {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

function forward(url: string, body: string, headers: http.IncomingHttpHeaders): Promise<SubgraphAnswer> {
  return new Promise((resolve, reject) => {
    const { host: _host, connection: _connection, ...forwarded } = headers;
    const request = http.request(url, { method: 'POST', headers: forwarded }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

export interface SubgraphRecorder extends SubgraphDoubles {
  /** Forgets what was recorded: the next fetches go to the subgraphs and are recorded. */
  record(): void;
  /** The next fetches are answered from the recording, each recorded answer once, in order. */
  replay(): void;
  /** Fetches made while replaying that were not recorded (they went to the subgraphs). */
  readonly unrecorded: { subgraph: string; body: string }[];
}

/**
 * Between gateways and the real subgraphs: records each fetch's answer by subgraph and request body,
 * then replays it, so two gateways sending the same fetches get the same answers (a mutation runs once).
 */
export async function startSubgraphRecorder(upstreamUrls: Record<string, string>): Promise<SubgraphRecorder> {
  let replaying = false;
  const recorded = new Map<string, SubgraphAnswer[]>();
  const unrecorded: { subgraph: string; body: string }[] = [];
  const doubles = await startSubgraphDoubles(Object.keys(upstreamUrls), async (subgraph, body, headers) => {
    const key = `${subgraph}\n${body}`;
    if (replaying) {
      const answer = recorded.get(key)?.shift();
      if (answer) return answer;
      unrecorded.push({ subgraph, body });
      return forward(upstreamUrls[subgraph], body, headers);
    }
    const answer = await forward(upstreamUrls[subgraph], body, headers);
    recorded.set(key, [...(recorded.get(key) ?? []), answer]);
    return answer;
  });
  return {
    ...doubles,
    unrecorded,
    record() {
      replaying = false;
      recorded.clear();
    },
    replay() {
      replaying = true;
    },
  };
}
