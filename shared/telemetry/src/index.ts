import type { NodeSDK } from '@opentelemetry/sdk-node';
import { tracingEnabled } from '@platform/config';

let running: NodeSDK | null = null;

/**
 * Starts OpenTelemetry tracing for this process, when configured (see `tracingEnabled`): spans of
 * incoming and outgoing HTTP (node:http and fetch, with W3C traceparent propagated, so a request is
 * one trace across the gateway, the subgraphs and the billing client), PostgreSQL statements (without
 * their values) and Redis commands, exported as the standard OTEL_* variables say (OTLP by default).
 * Must run before the instrumented modules are loaded: process entries import `@platform/telemetry/register` first.
 * Without configuration the SDK is not even loaded (it is required here, on demand), so tracing off costs nothing.
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (running || !tracingEnabled(env)) return false;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeSDK: SDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  /* eslint-enable @typescript-eslint/no-require-imports */
  running = new SDK({
    serviceName: env.OTEL_SERVICE_NAME || serviceName,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => request.url === '/health' || request.url === '/ready' || request.url === '/metrics' }),
      new UndiciInstrumentation(),
      // Statement text only: parameter values (customers' numbers and messages) never become span attributes.
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new IORedisInstrumentation({ dbStatementSerializer: (command) => command }),
    ],
  });
  running.start();
  return true;
}

/** Flushes and stops the tracer (on shutdown). */
export async function stopTracing(): Promise<void> {
  const sdk = running;
  running = null;
  await sdk?.shutdown();
}
