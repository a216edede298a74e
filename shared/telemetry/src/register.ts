/**
 * The first import of every process entry: starts tracing (when the OTEL_* variables configure it)
 * before the modules it instruments are loaded. The service name (unless OTEL_SERVICE_NAME says
 * otherwise) is the process's role, from its entry script.
 */
import path from 'node:path';
import { startTracing } from './index';

const script = path.basename(process.argv[1] ?? '', path.extname(process.argv[1] ?? ''));
const ROLES: Record<string, string> = {
  start: 'platform',
  main: 'gateway',
  'run-subgraph': process.argv[2] ?? 'subgraph',
  'run-messaging-worker': 'messaging-worker',
  'run-webhook-dispatcher': 'webhook-dispatcher',
};
startTracing(ROLES[script] ?? script);
