import { PassThrough, Readable } from 'node:stream';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { expectError, expectNoErrors, typedDocument } from '@platform/testing';

type Job = { id: string; status: string; processed: number; imported: number; merged: number; rejected: number; rejections: { line: number; code: string }[]; errorCode: string | null };
const JOB_FIELDS = 'id status processed imported merged rejected rejections { line code } errorCode';
const START = typedDocument<{ startContactImport: { job: Job; uploadUrl: string; expiresAt: string } }, { a: string; g?: string }>(
  `mutation($a: ID!, $g: ID) { startContactImport(accountId: $a, groupId: $g, defaultCountry: "GB") { job { ${JOB_FIELDS} } uploadUrl expiresAt } }`,
);
const JOB = typedDocument<{ importJob: Job }, { id: string }>(`query($id: ID!) { importJob(id: $id) { ${JOB_FIELDS} } }`);

/** `count` CSV rows with distinct valid UK mobile numbers, from `from` on. */
function rows(from: number, count: number): string {
  let text = '';
  for (let i = from; i < from + count; i++) text += `+447700${String(i).padStart(6, '0')},First ${i},Last\n`;
  return text;
}

/**
 * Issue 14 item 10 as a portal uses it: a contact file far beyond the 100 kB GraphQL body limit is
 * uploaded to a signed link through the gateway, streamed and imported as a job whose progress the
 * portal polls; a failed file imports nothing; the link works once, for its own tenant only.
 */
describe('streamed contact imports (SPEC M5)', () => {
  let stack: TestStack;
  let hqAdmin: string;
  const store = demoAccount('store-n1').id;
  const upload = (uploadUrl: string, body: string | Readable) =>
    fetch(new URL(uploadUrl, new URL(stack.gatewayUrl).origin), {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: typeof body === 'string' ? body : (Readable.toWeb(body) as unknown as ReadableStream),
      duplex: 'half',
    } as RequestInit);
  const contactCount = async (accountId: string) => (await stack.sql.query(`SELECT count(*)::int AS n FROM messaging.contacts WHERE account_id = $1`, [accountId])).rows[0].n as number;

  beforeAll(async () => {
    stack = await startTestStack();
    hqAdmin = await stack.login(demoUser('hq-admin').email);
  });
  afterAll(() => stack.close());

  it('imports 30,000 rows streamed through the gateway, with progress while it runs and every rejection by line', async () => {
    // Arrange: a 1.3 MB file with two bad rows and one number twice, sent in two halves
    const before = await contactCount(store);
    const { job, uploadUrl } = expectNoErrors(await stack.graphql(START, { a: store }, hqAdmin)).startContactImport;
    const body = new PassThrough();
    const answer = upload(uploadUrl, body);
    body.write('phone,first_name,last_name\n');
    body.write(rows(0, 15_000));

    // Act: the portal polls while the second half has not been sent yet
    let during: Job;
    do {
      await new Promise((resolve) => setTimeout(resolve, 50));
      during = expectNoErrors(await stack.graphql(JOB, { id: job.id }, hqAdmin)).importJob;
    } while (during.processed < 10_000);
    body.end(`not a number,Bad,Row\n${rows(15_000, 14_997)}+447700000042,Again,Twice\n,Empty,Row\n`);
    const response = await answer;
    const finished = ((await response.json()) as { job: Job }).job;
    const polled = expectNoErrors(await stack.graphql(JOB, { id: job.id }, hqAdmin)).importJob;

    // Assert
    expect(job.status).toBe('WAITING');
    expect(during.status).toBe('PROCESSING');
    expect(during.imported).toBeLessThan(29_997);
    expect(response.status).toBe(200);
    expect(finished).toMatchObject({ id: job.id, status: 'COMPLETED', processed: 30_000, imported: 29_997, merged: 1, rejected: 2 });
    expect(polled).toMatchObject({ status: 'COMPLETED', processed: 30_000, imported: 29_997, merged: 1, rejected: 2, errorCode: null });
    expect(polled.rejections).toEqual([
      { line: 15_002, code: 'INVALID_PHONE_NUMBER' },
      { line: 30_001, code: 'MISSING_PHONE_NUMBER' },
    ]);
    expect(await contactCount(store)).toBe(before + 29_997);
  });

  it('an upload link works once', async () => {
    // Arrange
    const before = await contactCount(store);
    const { job, uploadUrl } = expectNoErrors(await stack.graphql(START, { a: store }, hqAdmin)).startContactImport;

    // Act
    const first = await upload(uploadUrl, `phone,first_name\n${rows(50_000, 800)}`);
    const again = await upload(uploadUrl, `phone\n+447700999999\n`);
    const polled = expectNoErrors(await stack.graphql(JOB, { id: job.id }, hqAdmin)).importJob;

    // Assert
    expect(first.status).toBe(200);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('INVALID_STATE');
    expect(polled).toMatchObject({ status: 'COMPLETED', imported: 800 });
    expect(await contactCount(store)).toBe(before + 800);
  });

  it('an upload cut off mid-file fails as a whole, writing no contact, and leaves no lock behind', async () => {
    // Arrange: half a file is sent, then the client goes away
    const before = await contactCount(store);
    const { job, uploadUrl } = expectNoErrors(await stack.graphql(START, { a: store }, hqAdmin)).startContactImport;
    const body = new PassThrough();
    const abort = new AbortController();
    const answer = fetch(new URL(uploadUrl, new URL(stack.gatewayUrl).origin), {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: Readable.toWeb(body) as unknown as ReadableStream,
      duplex: 'half',
      signal: abort.signal,
    } as RequestInit).catch((error: Error) => error);
    body.write(`phone,first_name\n${rows(60_000, 2_000)}`);
    let during: Job;
    do {
      await new Promise((resolve) => setTimeout(resolve, 50));
      during = expectNoErrors(await stack.graphql(JOB, { id: job.id }, hqAdmin)).importJob;
    } while (during.processed < 1_000);

    // Act
    abort.abort();
    await answer;
    let after: Job;
    do {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = expectNoErrors(await stack.graphql(JOB, { id: job.id }, hqAdmin)).importJob;
    } while (after.status === 'PROCESSING');
    const next = await stack.graphql(`mutation($a: ID!, $csv: String!) { importContacts(accountId: $a, csv: $csv) { imported } }`, { a: store, csv: 'phone\n+447709876543\n' }, hqAdmin);

    // Assert
    expect(after).toMatchObject({ status: 'FAILED', imported: 0, merged: 0 });
    expect(expectNoErrors(next).importContacts.imported).toBe(1);
    expect(await contactCount(store)).toBe(before + 1);
  });

  it('a file without a phone column fails as a whole, writing no contact', async () => {
    // Arrange
    const before = await contactCount(store);
    const { job, uploadUrl } = expectNoErrors(await stack.graphql(START, { a: store }, hqAdmin)).startContactImport;

    // Act
    const response = await upload(uploadUrl, `first_name,last_name\n${'Ann,Example\n'.repeat(2_000)}`);
    const polled = expectNoErrors(await stack.graphql(JOB, { id: job.id }, hqAdmin)).importJob;

    // Assert
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(polled).toMatchObject({ status: 'FAILED', errorCode: 'BAD_USER_INPUT', imported: 0, merged: 0 });
    expect(await contactCount(store)).toBe(before);
  });

  it('another tenant never sees the job; a forged link is refused and writes nothing', async () => {
    // Arrange
    const { job, uploadUrl } = expectNoErrors(await stack.graphql(START, { a: store }, hqAdmin)).startContactImport;
    const stranger = await stack.login(demoUser('accountant').email);
    const before = await contactCount(store);
    const [body, signature] = new URL(uploadUrl, 'http://x').searchParams.get('token')!.split('.');
    const forged = `${body}.${signature.slice(0, -2)}AA`;

    // Act
    const seenByStranger = await stack.graphql(JOB, { id: job.id }, stranger);
    const unknown = await stack.graphql(JOB, { id: '00000000-0000-4000-8000-000000000000' }, stranger);
    const forgedUpload = await upload(`/imports/contacts?token=${forged}`, `phone\n+447700888888\n`);
    const startedByStranger = await stack.graphql(START, { a: store }, stranger);

    // Assert
    expectError(seenByStranger, 'NOT_FOUND');
    expect(seenByStranger.errors![0].message).toBe(unknown.errors![0].message);
    expect(forgedUpload.status).toBe(401);
    expectError(startedByStranger, 'NOT_FOUND');
    expect(await contactCount(store)).toBe(before);
  });
});
