export default async function globalTeardown(): Promise<void> {
  const postgres = (globalThis as { __embeddedPostgres?: { stop(): Promise<void> } }).__embeddedPostgres;
  if (postgres) await postgres.stop();
}
