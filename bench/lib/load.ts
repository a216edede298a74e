import autocannon from 'autocannon';
import { percentile } from './stats';

/** One HTTP target of a load run: a GraphQL POST with its headers. */
export interface Target {
  name: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  /** headers computed per request (e.g. a single-use principal token), merged over `headers` */
  headersPerRequest?: () => Record<string, string>;
  /** the size of a correct response body, learnt by `verifyTarget`; any other size counts as an error */
  expectedBytes?: number;
}

export interface LoadRun {
  target: string;
  connections: number;
  requests: number;
  /** successful responses per second */
  rps: number;
  p50: number;
  p95: number;
  /** non-2xx, transport errors, timeouts, and bodies whose size differs from the verified one */
  errors: number;
}

/**
 * Sends the target once with fetch and checks the GraphQL answer has data and no errors; records
 * the body size so the load run can tell a GraphQL error (HTTP 200) from a correct answer.
 */
export async function verifyTarget(target: Target): Promise<unknown> {
  const response = await fetch(target.url, { method: 'POST', headers: { ...target.headers, ...target.headersPerRequest?.() }, body: target.body });
  const text = await response.text();
  const json = JSON.parse(text) as { data?: unknown; errors?: unknown };
  if (response.status !== 200 || json.errors || !json.data) {
    throw new Error(`${target.name}: unexpected answer ${response.status} ${text.slice(0, 300)}`);
  }
  target.expectedBytes = Buffer.byteLength(text);
  return json.data;
}

/**
 * Runs autocannon (in this process, a separate one from every server) against the target.
 * Latencies are taken from autocannon's per-response event, which carries fractional
 * milliseconds (its own histogram keeps whole milliseconds only).
 */
export async function load(target: Target, options: { connections: number; seconds?: number; maxRequests?: number }): Promise<LoadRun> {
  const latencies: number[] = [];
  let wrongBodies = 0;
  let finish!: (result: autocannon.Result) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => ((finish = resolve), (fail = reject)));
  const instance = autocannon({
    url: target.url,
    method: 'POST',
    headers: target.headers,
    body: target.body,
    ...(target.headersPerRequest
      ? { requests: [{ setupRequest: (request: autocannon.Request) => ({ ...request, headers: { ...target.headers, ...target.headersPerRequest!() } }) }] }
      : {}),
    connections: options.connections,
    // A count, when given, bounds the run instead of a duration (requests slower than the duration itself).
    ...(options.maxRequests ? { amount: options.maxRequests } : { duration: options.seconds }),
    timeout: 30,
  }, (error, result) => (error ? fail(error) : finish(result)));
  // resBytes counts headers and body; a GraphQL error answer (HTTP 200) is far smaller than the data it replaces.
  instance.on('response', (_client: unknown, statusCode: number, resBytes: number, responseTime: number) => {
    if (statusCode !== 200) return;
    if (target.expectedBytes !== undefined && resBytes < target.expectedBytes) wrongBodies += 1;
    else latencies.push(responseTime);
  });
  const result = await done;
  const transportErrors = result.errors + result.timeouts + result.non2xx;
  const elapsedSeconds = result.duration; // seconds
  return {
    target: target.name,
    connections: options.connections,
    requests: latencies.length,
    rps: latencies.length / elapsedSeconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    errors: transportErrors + wrongBodies,
  };
}
