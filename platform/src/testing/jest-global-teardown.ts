type SetupState = { __embeddedPostgres?: { stop(): Promise<void> }; __templates?: { drop(): Promise<void> } };

export default async function globalTeardown(): Promise<void> {
  const state = globalThis as SetupState;
  await state.__templates?.drop();
  await state.__embeddedPostgres?.stop();
}
