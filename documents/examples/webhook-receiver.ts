/**
 * A partner's webhook receiver: verifies each delivery with the `standardwebhooks` package (signature
 * over the raw body, timestamp within 5 minutes), answers 2xx quickly, and deduplicates on `webhook-id`
 * (deliveries are at least once). Run: `WEBHOOK_SECRET=whsec_… PORT=8080 npx tsx documents/examples/webhook-receiver.ts`.
 */
import http from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

export interface PlatformEvent {
  type: string;
  timestamp: string;
  data: { accountId: string } & Record<string, unknown>;
}

export function webhookReceiver(secret: string, onEvent: (event: PlatformEvent, id: string) => void): http.RequestListener {
  const webhook = new Webhook(secret.replace(/^whsec_/, ''));
  // Use a durable store (a table with a unique key) in production; memory is enough for the example.
  const seen = new Set<string>();
  return (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let event: PlatformEvent;
      try {
        event = webhook.verify(body, request.headers as Record<string, string>) as PlatformEvent;
      } catch (error) {
        response.writeHead(error instanceof WebhookVerificationError ? 400 : 500).end();
        return;
      }
      const id = String(request.headers['webhook-id']);
      if (!seen.has(id)) {
        seen.add(id);
        onEvent(event, id);
      }
      response.writeHead(204).end();
    });
  };
}

if (require.main === module) {
  const secret = process.env.WEBHOOK_SECRET;
  if (!secret) throw new Error('set WEBHOOK_SECRET to the whsec_… secret createWebhookEndpoint showed');
  const port = Number(process.env.PORT ?? 8080);
  http.createServer(webhookReceiver(secret, (event, id) => console.log(id, event.type, JSON.stringify(event.data)))).listen(port, () => console.log(`webhook receiver on :${port}`));
}
