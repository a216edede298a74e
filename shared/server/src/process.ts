import { stopTracing } from '@platform/telemetry';

/** The two log methods shutdown needs; a pino logger or a console adapter. */
export interface ShutdownLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * A process entry's shutdown: on the first SIGTERM or SIGINT, run `stop` (drain servers, stop
 * jobs, close pools) once, flush the traces, then exit 0 — or 1 if stopping failed.
 */
export function stopOnSignals(logger: ShutdownLog, stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: draining in-flight requests');
    try {
      await stop();
      await stopTracing();
      logger.info({}, 'stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'failed to stop cleanly');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
