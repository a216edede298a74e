import { loadConfig } from '@platform/config';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { principalKeyEnvironment } from '@platform/testing';

const PORTAL = 'https://portal.example.com';
const ELSEWHERE = 'https://evil.example.net';

const corsHeadersOf = (response: Response) => [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));

describe('browser clients on another origin (CORS)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ seedDemo: false, env: { CORS_ORIGINS: `${PORTAL}, http://localhost:5173` } });
  });
  afterAll(() => stack.close());

  const preflight = (origin: string) =>
    fetch(stack.gatewayUrl, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' } });

  it('a preflight from an allowed origin is answered before the CSRF check, with credentials and the headers the client needs', async () => {
    // Act
    const response = await preflight(PORTAL);

    // Assert
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(response.headers.get('access-control-allow-headers')?.split(',')).toEqual(expect.arrayContaining(['content-type', 'authorization']));
    expect(response.headers.get('vary')).toMatch(/Origin/);
  });

  it('the call itself from an allowed origin carries the origin and exposes the request id', async () => {
    // Act
    const response = await fetch(stack.gatewayUrl, { method: 'POST', headers: { origin: PORTAL, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });

    // Assert
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
    expect(response.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(response.headers.get('access-control-expose-headers')).toMatch(/x-request-id/);
  });

  it('an origin not listed gets no CORS header at all, on the preflight and on the call', async () => {
    // Act
    const refusedPreflight = await preflight(ELSEWHERE);
    const call = await fetch(stack.gatewayUrl, { method: 'POST', headers: { origin: ELSEWHERE, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });

    // Assert
    expect(refusedPreflight.status).toBe(204);
    expect(corsHeadersOf(refusedPreflight)).toEqual([]);
    expect(corsHeadersOf(call)).toEqual([]);
    expect(call.headers.get('vary')).toMatch(/Origin/);
  });

  it("Apollo's CSRF protection still refuses a simple (unpreflighted) request, even from an allowed origin", async () => {
    // Act: a form-like text/plain POST, which a browser sends cross-origin without asking
    const response = await fetch(stack.gatewayUrl, { method: 'POST', headers: { origin: PORTAL, 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ __typename }' }) });

    // Assert
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF|content-type/i);
  });
});

describe('CORS defaults', () => {
  it('production allows no origin unless CORS_ORIGINS lists it, and a wildcard is refused', () => {
    // Act
    const production = loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', INTERNAL_SIGNING_SECRET: 's'.repeat(32), WEBHOOK_ENCRYPTION_KEY: 'w'.repeat(32), ...principalKeyEnvironment() });
    const refused = (() => {
      try {
        loadConfig({ NODE_ENV: 'test', CORS_ORIGINS: '*' });
        return null;
      } catch (error) {
        return (error as Error).message;
      }
    })();

    // Assert
    expect(production.gateway.corsOrigins).toEqual([]);
    expect(refused).toMatch(/CORS_ORIGINS must list origins/);
  });

  it("development allows the portal's origins on PORTAL_PORT unless CORS_ORIGINS is set", () => {
    // Act
    const byDefault = loadConfig({ NODE_ENV: 'development', PRINCIPAL_KEYS_FILE: `/tmp/principal-keys-${process.pid}.json` });
    const elsewhere = loadConfig({ NODE_ENV: 'development', PORTAL_PORT: '5273', PRINCIPAL_KEYS_FILE: `/tmp/principal-keys-${process.pid}.json` });
    const listed = loadConfig({ NODE_ENV: 'development', PORTAL_PORT: '5273', CORS_ORIGINS: 'https://portal.example.com', PRINCIPAL_KEYS_FILE: `/tmp/principal-keys-${process.pid}.json` });

    // Assert
    expect(byDefault.gateway.corsOrigins).toEqual(['http://localhost:5173', 'http://127.0.0.1:5173']);
    expect(elsewhere.gateway.corsOrigins).toEqual(['http://localhost:5273', 'http://127.0.0.1:5273']);
    expect(listed.gateway.corsOrigins).toEqual(['https://portal.example.com']);
  });
});
