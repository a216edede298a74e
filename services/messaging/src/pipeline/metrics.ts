import { performance } from 'node:perf_hooks';
import type { Metrics } from '@platform/server';
import type { Carrier } from './carrier';

/**
 * The carrier as the operations team watches it (issue 16): calls by outcome (`success`, or `error`
 * when the call failed and its messages wait for the next claim), their duration, and the messages
 * the carrier accepted or rejected.
 */
export function measureCarrier(carrier: Carrier, metrics: Metrics): Carrier {
  const calls = metrics.counter({ name: 'carrier_requests_total', help: 'Calls to the SMS carrier by carrier and outcome (success, error: the call failed and its messages are claimed again)', labelNames: ['carrier', 'outcome'] as const });
  const duration = metrics.histogram({
    name: 'carrier_request_duration_seconds',
    help: 'Duration of calls to the SMS carrier by carrier and outcome',
    labelNames: ['carrier', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  const messages = metrics.counter({ name: 'carrier_messages_total', help: 'Messages handed to the SMS carrier by carrier and outcome (accepted, rejected)', labelNames: ['carrier', 'outcome'] as const });
  return {
    name: carrier.name,
    takeDueReceipts: carrier.takeDueReceipts?.bind(carrier),
    async send(batch) {
      const startedAt = performance.now();
      let outcome: 'success' | 'error' = 'error';
      try {
        const results = await carrier.send(batch);
        outcome = 'success';
        const accepted = results.filter((result) => result.accepted).length;
        messages.inc({ carrier: carrier.name, outcome: 'accepted' }, accepted);
        messages.inc({ carrier: carrier.name, outcome: 'rejected' }, results.length - accepted);
        return results;
      } finally {
        calls.inc({ carrier: carrier.name, outcome });
        duration.observe({ carrier: carrier.name, outcome }, (performance.now() - startedAt) / 1000);
      }
    },
  };
}
