import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { parseWebhookUrl, resolveDeliverableAddress, type HostResolver, type UrlPolicy } from './url-policy';

export interface SendResult {
  /** The HTTP status when the receiver answered. */
  status: number | null;
  /** Why there was no answer (refused address, connection error, timeout). */
  error: string | null;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs one delivery. The URL is re-checked against the policy, its host resolved and every address
 * checked, and the socket connects to that checked address (our own `lookup`), so a name that
 * re-resolves to a private address between check and connect (DNS rebinding) is never reached.
 * Redirects are not followed (a 3xx is a failed attempt).
 */
export async function sendWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { policy: UrlPolicy; resolver: HostResolver; timeoutMs: number },
): Promise<SendResult> {
  let target: { address: string; family: 4 | 6 };
  let parsed: ReturnType<typeof parseWebhookUrl>;
  try {
    parsed = parseWebhookUrl(url, options.policy);
    target = await resolveDeliverableAddress(parsed, options.policy, options.resolver);
  } catch (error) {
    return { status: null, error: `refused: ${error instanceof Error ? error.message : String(error)}` };
  }
  const pinnedLookup = ((_hostname: string, lookupOptions: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (lookupOptions?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as unknown as LookupFunction;
  const client = parsed.url.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = client.request(
      parsed.url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: false,
        lookup: pinnedLookup,
      },
      (response) => {
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) response.destroy();
        });
        response.on('error', () => {});
        response.on('close', () => finish({ status: response.statusCode ?? null, error: null }));
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new Error(`no answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    request.on('error', (error) => finish({ status: null, error: error.message }));
    request.end(body);
  });
}
