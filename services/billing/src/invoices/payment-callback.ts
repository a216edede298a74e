import type http from 'node:http';
import type { DataSource } from 'typeorm';
import type { PlatformConfig } from '@platform/config';
import { AppError } from '@platform/errors';
import { sendJson, sendRefusal, type HttpRoute, type Logger } from '@platform/server';
import { PAYMENT_SIGNATURE_HEADER, paymentProviderFor } from '../top-ups/payment-provider';
import { recordProviderPayment } from './service';

/**
 * The payment provider's callback (SPEC O3). Providers call the billing service itself (in
 * production: its URL published to the provider, not through the gateway); the request carries
 * no principal, the provider's signature over the raw body is its only credential.
 */
export const PAYMENT_CALLBACK_PATH = '/billing/payment-callback';

const MAX_CALLBACK_BYTES = 16 * 1024;

function readRawBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_CALLBACK_BYTES) {
        request.destroy();
        reject(new AppError('PAYLOAD_TOO_LARGE', `The callback exceeds ${MAX_CALLBACK_BYTES} bytes`));
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * POST /billing/payment-callback: 401 UNAUTHENTICATED without a valid signature (nothing is read
 * from the body), else the invoice is paid once: 200 `{ outcome: RECORDED | REPLAYED | ALREADY_PAID }`.
 */
export function paymentCallbackRoute(dataSource: DataSource, config: PlatformConfig, logger: Logger): HttpRoute {
  return async (request, response) => {
    try {
      if (request.method !== 'POST') throw new AppError('BAD_REQUEST', 'Use POST');
      const rawBody = await readRawBody(request);
      const signature = request.headers[PAYMENT_SIGNATURE_HEADER];
      const notice = paymentProviderFor(config).verifyCallback(rawBody, typeof signature === 'string' ? signature : undefined);
      if (!notice) {
        logger.warn({ path: PAYMENT_CALLBACK_PATH }, 'payment callback refused: missing or invalid signature');
        throw new AppError('UNAUTHENTICATED', `Missing or invalid ${PAYMENT_SIGNATURE_HEADER} header`);
      }
      const outcome = await recordProviderPayment(dataSource, notice);
      logger.info({ invoiceId: notice.invoiceId, eventId: notice.eventId, outcome }, 'payment callback');
      sendJson(response, 200, { invoiceId: notice.invoiceId, outcome });
    } catch (error) {
      if (error instanceof AppError) return sendRefusal(response, error);
      throw error;
    }
  };
}
