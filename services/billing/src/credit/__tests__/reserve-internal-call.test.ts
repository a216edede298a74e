import { GATEWAY_ISSUER, PRINCIPAL_HEADER, PrincipalSigner, serviceIssuer, type Principal } from '@platform/authz';
import { createBillingClient } from '@platform/billing-client';
import { requirePrivateKey } from '@platform/config';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startSubgraphTestServer, type SubgraphTestServer } from '@platform/platform/testing';
import { internalCallPath } from '@platform/server';

jest.setTimeout(60_000);

/** billing's reservation as an internal call (POST /internal/reserveCredit, issue 19): the send path's one call per send, outside GraphQL. */
describe('the reserveCredit and captureCredits internal calls', () => {
  let billing: SubgraphTestServer;
  let url: string;
  let gateway: PrincipalSigner;
  let messaging: PrincipalSigner;
  const store = demoAccount('store-n2').id;
  const input = (key: string) => ({ accountId: store, userId: null, units: 3, idempotencyKey: key, reference: `batch-${key}` });
  const asMessaging: Principal = { kind: 'SERVICE', id: 'messaging', actingAccountId: null, sessionId: null };
  const asUser: Principal = { kind: 'USER', id: demoUser('hq-admin').id, actingAccountId: demoAccount('hq').id, sessionId: null };
  const reservations = async (key: string) => (await billing.sql.query(`SELECT count(*)::int AS n FROM billing.reservations WHERE idempotency_key = $1`, [key])).rows[0].n;
  const post = async (body: unknown, headers: Record<string, string>, method = 'POST') => {
    const response = await fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: method === 'POST' ? JSON.stringify(body) : undefined });
    return { status: response.status, body: await response.json() };
  };

  beforeAll(async () => {
    billing = await startSubgraphTestServer('billing', { seedDemo: true });
    url = new URL(internalCallPath('reserveCredit'), billing.url).href;
    gateway = await PrincipalSigner.create(requirePrivateKey(billing.config, 'gateway'), GATEWAY_ISSUER, 30);
    messaging = await PrincipalSigner.create(requirePrivateKey(billing.config, 'messaging'), serviceIssuer('messaging'), 30);
  });
  afterAll(() => billing.close());

  it("holds credit for messaging's service principal, answering what the mutation answered, and a replay of the key gets the same reservation", async () => {
    // Arrange
    const client = createBillingClient({ url: billing.url, privateKey: requirePrivateKey(billing.config, 'messaging') });

    // Act
    const first = await client.reserve(input('internal-1'));
    const replay = await client.reserve(input('internal-1'));

    // Assert
    expect(first).toEqual({ id: expect.any(String), accountId: store, userId: null, units: 3, capturedUnits: 0, status: 'HELD', expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });
    expect(replay).toEqual(first);
    expect(await reservations('internal-1')).toBe(1);
  });

  it('refuses a customer principal (FORBIDDEN), a missing token and a replayed token (UNAUTHENTICATED), writing nothing', async () => {
    // Arrange
    const replayedToken = await messaging.sign(asMessaging, 'billing');
    await post({ input: input('internal-2') }, { [PRINCIPAL_HEADER]: replayedToken });

    // Act
    const asCustomer = await post({ input: input('internal-3') }, { [PRINCIPAL_HEADER]: await gateway.sign(asUser, 'billing') });
    const anonymous = await post({ input: input('internal-3') }, {});
    const replayed = await post({ input: input('internal-3') }, { [PRINCIPAL_HEADER]: replayedToken });

    // Assert
    expect(asCustomer).toMatchObject({ status: 403, body: { errors: [{ extensions: { code: 'FORBIDDEN' } }] } });
    expect(anonymous).toMatchObject({ status: 401, body: { errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] } });
    expect(replayed).toMatchObject({ status: 401, body: { errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] } });
    expect(await reservations('internal-3')).toBe(0);
  });

  it('answers a body without an input object, a GET and a token for another subgraph with their refusals', async () => {
    // Act
    const noInput = await post({ input: 'x' }, { [PRINCIPAL_HEADER]: await messaging.sign(asMessaging, 'billing') });
    const get = await post(null, { [PRINCIPAL_HEADER]: await messaging.sign(asMessaging, 'billing') }, 'GET');
    const otherAudience = await post({ input: input('internal-4') }, { [PRINCIPAL_HEADER]: await messaging.sign(asMessaging, 'messaging') });

    // Assert
    expect(noInput).toMatchObject({ status: 400, body: { errors: [{ extensions: { code: 'BAD_USER_INPUT', field: 'input' } }] } });
    expect(get.status).toBe(405);
    expect(otherAudience).toMatchObject({ status: 401, body: { errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] } });
    expect(await reservations('internal-4')).toBe(0);
  });

  it("captures through POST /internal/captureCredits for messaging's service principal only, and refuses captures that are not a list", async () => {
    // Arrange
    const client = createBillingClient({ url: billing.url, privateKey: requirePrivateKey(billing.config, 'messaging') });
    const held = await client.reserve(input('internal-5'));
    const captureUrl = new URL(internalCallPath('captureCredits'), billing.url).href;
    const capture = async (body: unknown, token: string) => {
      const response = await fetch(captureUrl, { method: 'POST', headers: { 'content-type': 'application/json', [PRINCIPAL_HEADER]: token }, body: JSON.stringify(body) });
      return { status: response.status, body: await response.json() };
    };
    const status = async () => (await billing.sql.query(`SELECT status FROM billing.reservations WHERE id = $1`, [held.id])).rows[0].status;

    // Act
    const asCustomer = await capture({ captures: [{ reservationId: held.id }] }, await gateway.sign(asUser, 'billing'));
    const statusAfterCustomer = await status();
    const notAList = await capture({ captures: { reservationId: held.id } }, await messaging.sign(asMessaging, 'billing'));
    const [captured] = await client.captureMany([{ reservationId: held.id }]);

    // Assert
    expect(asCustomer).toMatchObject({ status: 403, body: { errors: [{ extensions: { code: 'FORBIDDEN' } }] } });
    expect(statusAfterCustomer).toBe('HELD');
    expect(notAList).toMatchObject({ status: 400, body: { errors: [{ extensions: { code: 'BAD_USER_INPUT', field: 'captures' } }] } });
    expect(captured).toEqual({ reservationId: held.id, reservation: { ...held, status: 'CAPTURED', capturedUnits: 3 } });
    expect(await status()).toBe('CAPTURED');
  });
});
