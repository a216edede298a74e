import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Link } from '@opentelemetry/api';
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
      // Statements outside any span (the background jobs' polling, several a second when idle) are not traced.
      new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
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

/**
 * The W3C `traceparent` of the current span, to be stored with work that continues later in another
 * process (a queued message); null when no trace is being recorded (tracing off).
 */
export function currentTraceparent(): string | null {
  const carrier: { traceparent?: string } = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/** The OpenTelemetry SDK's default bound on the links of one span. */
const MAX_LINKS = 128;

/**
 * Runs `work` in a CONSUMER span that continues the traces of stored `traceparents` (the work items it
 * processes, e.g. the messages of one delivery round): it links to each of them, and when they all
 * come from one trace its parent is that trace's span, so the work appears in the trace that queued it.
 * Without tracing this is the API's no-op span.
 */
export async function inLinkedSpan<T>(name: string, traceparents: readonly (string | null)[], attributes: Record<string, string | number>, work: () => Promise<T>): Promise<T> {
  const contexts = [...new Set(traceparents.filter((value): value is string => Boolean(value)))]
    .map((traceparent) => propagation.extract(ROOT_CONTEXT, { traceparent }))
    .filter((extracted) => trace.getSpanContext(extracted) !== undefined);
  const links: Link[] = contexts.slice(0, MAX_LINKS).map((extracted) => ({ context: trace.getSpanContext(extracted)! }));
  const parent: Context = contexts.length === 1 ? contexts[0] : context.active();
  return trace.getTracer('@platform/telemetry').startActiveSpan(name, { kind: SpanKind.CONSUMER, links, attributes }, parent, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
