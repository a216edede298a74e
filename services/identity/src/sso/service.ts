import { mutate } from '@platform/audit';
import { hashSecret, jose, randomToken, ROLES, type JWTPayload } from '@platform/authz';
import type { Sql } from '@platform/db';
import { AppError, assertId, errors } from '@platform/errors';
import type { SsoConfigurationInput, SsoLoginStart } from '../__generated__/resolvers-types';
import { auditScope, type IdentityContext } from '../context';
import { assertCallerMayGive, assertOpenAccount } from '../memberships/authority';
import { MembershipStore, type MembershipRow } from '../memberships/store';
import { normaliseEmail, SessionService, type AuthPayloadValue } from '../sessions/service';
import { UserStore, type UserRow } from '../sessions/store';
import { SsoStore, type SsoConfigurationRow } from './store';

const DOMAIN_PATTERN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

type RemoteJwks = ReturnType<typeof jose.createRemoteJWKSet>;
interface Provider {
  jwks: RemoteJwks;
  authorizationEndpoint: string | null;
}
// Discovery per issuer, for the life of the process: jose caches keys and refetches on an unknown kid.
const providers = new Map<string, Promise<Provider>>();

async function discover(issuer: string): Promise<Provider> {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`OIDC discovery of ${issuer} answered ${response.status}`);
  const document = (await response.json()) as { issuer?: string; jwks_uri?: string; authorization_endpoint?: string };
  if (document.issuer !== issuer || typeof document.jwks_uri !== 'string') throw new Error(`OIDC discovery of ${issuer} is inconsistent`);
  return {
    jwks: jose.createRemoteJWKSet(new URL(document.jwks_uri), { timeoutDuration: 5000 }),
    authorizationEndpoint: typeof document.authorization_endpoint === 'string' ? document.authorization_endpoint : null,
  };
}

function providerFor(issuer: string): Promise<Provider> {
  let provider = providers.get(issuer);
  if (!provider) {
    provider = discover(issuer);
    provider.catch(() => providers.delete(issuer));
    providers.set(issuer, provider);
  }
  return provider;
}

const STATE_PREFIX = 'sso';
const STATE_PATTERN = new RegExp(`^${STATE_PREFIX}_[0-9A-Za-z]{43}$`);
const STATE_TTL_SECONDS = 600;

const invalidToken = (reason: string) => new AppError('SSO_TOKEN_INVALID', 'The ID token is not valid', { reason });

/** What the activity log keeps of a configuration. */
const configurationView = (c: SsoConfigurationRow) => ({ issuer: c.issuer, clientId: c.clientId, allowedDomains: c.allowedDomains, defaultRole: c.defaultRole, requireSso: c.requireSso });

/** The claims of an ID token signed by the configuration's provider for its client, carrying the nonce of the sign-in. */
async function verifyIdToken(idToken: string, configuration: SsoConfigurationRow, nonce: string): Promise<JWTPayload> {
  try {
    jose.decodeJwt(idToken);
  } catch {
    throw invalidToken('malformed');
  }
  let payload: JWTPayload;
  try {
    const { payload: verified } = await jose.jwtVerify(idToken, (await providerFor(configuration.issuer)).jwks, {
      issuer: configuration.issuer,
      audience: configuration.clientId,
      algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'],
      clockTolerance: 30,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    payload = verified;
  } catch (error) {
    throw invalidToken((error as { code?: string }).code ?? 'verification failed');
  }
  if (payload.nonce !== nonce) throw invalidToken('nonce mismatch');
  return payload;
}

/** The token's verified email, of one of the configuration's domains. */
function allowedEmailOf(payload: JWTPayload, configuration: SsoConfigurationRow): string {
  if (payload.email_verified !== true || typeof payload.email !== 'string') throw invalidToken('email missing or not verified');
  const email = normaliseEmail(payload.email);
  const domain = email.slice(email.lastIndexOf('@') + 1);
  if (!configuration.allowedDomains.includes(domain)) throw new AppError('SSO_DOMAIN_NOT_ALLOWED', `Users of ${domain} cannot sign in through this provider`);
  return email;
}

/** The token's name, else the email's local part (at most 100 characters). */
function displayNameOf(payload: JWTPayload, email: string): string {
  return typeof payload.name === 'string' && payload.name.trim() ? payload.name.trim().slice(0, 100) : email.slice(0, email.indexOf('@')).slice(0, 100);
}

/** The user linked to the provider's subject, else the email's login, else a new login without a password; linked to the subject. */
async function findOrCreateUser(tx: Sql, issuer: string, subject: string, email: string, name: string): Promise<UserRow> {
  const users = new UserStore(tx);
  const sso = new SsoStore(tx);
  const linkedUserId = await sso.findUserIdByIdentity(issuer, subject);
  const user =
    (linkedUserId ? (await users.findUsersByIds([linkedUserId]))[0] : null) ??
    (await users.findUserByEmail(email)) ??
    (await users.insertUser({ email, name, passwordHash: null })) ??
    (await users.findUserByEmail(email));
  if (!user) throw new AppError('INVALID_STATE', 'The login could not be created');
  await sso.linkIdentity(issuer, subject, user.id);
  return user;
}

/** The user's active membership of the configuration's account; a first sign-in joins with the default role. */
async function findOrCreateMembership(memberships: MembershipStore, userId: string, configuration: SsoConfigurationRow): Promise<MembershipRow> {
  const membership =
    (await memberships.findMembership(userId, configuration.accountId)) ??
    (await memberships.insertMembership({ userId, accountId: configuration.accountId, role: configuration.defaultRole, createdBy: null })) ??
    (await memberships.findMembership(userId, configuration.accountId));
  if (!membership || membership.status !== 'ACTIVE') throw errors.forbidden('Your membership of this account is inactive');
  return membership;
}

/** Single sign-on with OIDC ID tokens (SPEC I8). */
export class SsoService {
  constructor(private readonly ctx: IdentityContext) {}

  async configure(accountId: string, input: SsoConfigurationInput): Promise<SsoConfigurationRow> {
    const chain = await this.ctx.access.require(assertId(accountId, 'accountId'), 'security');
    assertOpenAccount(chain);
    const settings = this.assertSettings(input);
    await assertCallerMayGive(this.ctx, chain, { role: settings.defaultRole });
    return mutate(auditScope(this.ctx, chain), 'configureSso', async (tx) => {
      const repository = new SsoStore(tx);
      const [before] = await repository.findSsoConfigurationsByAccountIds([chain.id]);
      const configuration = await repository.upsertSsoConfiguration({ accountId: chain.id, treeId: chain.rootId, ...settings });
      const taken = await repository.claimSsoDomains(configuration.id, chain.rootId, settings.allowedDomains);
      if (taken.length > 0) throw new AppError('ALREADY_EXISTS', `These domains belong to another organisation: ${taken.join(', ')}`, { domains: taken });
      return { result: configuration, targetType: 'SsoConfiguration', targetId: configuration.id, before: before && configurationView(before), after: configurationView(configuration) };
    });
  }

  /**
   * Starts a sign-in for the email's organisation: the server makes the OIDC state and nonce,
   * keeps them (state as SHA-256, 10 minutes, single use) and answers the provider's
   * authorization URL. Whether an email has a login plays no part.
   */
  async begin(email: string, redirectUri: string): Promise<SsoLoginStart> {
    const normalised = normaliseEmail(email);
    const redirect = this.assertRedirectUri(redirectUri);
    const configuration = await this.ctx.sso.findSsoConfigurationByDomain(normalised.slice(normalised.lastIndexOf('@') + 1));
    if (!configuration) throw new AppError('SSO_NOT_CONFIGURED', 'No organisation signs in users of this domain through single sign-on');
    let provider: Provider;
    try {
      provider = await providerFor(configuration.issuer);
    } catch {
      throw new AppError('SSO_NOT_CONFIGURED', 'The identity provider cannot be reached');
    }
    if (!provider.authorizationEndpoint) throw new AppError('SSO_NOT_CONFIGURED', 'The identity provider publishes no authorization endpoint');
    const state = randomToken(STATE_PREFIX);
    const nonce = randomToken('n');
    const chain = await this.ctx.access.chains.load(configuration.accountId);
    await mutate(auditScope(this.ctx, chain), 'beginSsoLogin', async (tx) => {
      await new SsoStore(tx).insertSsoLoginState({ stateHash: hashSecret(state), nonce, configurationId: configuration.id, ttlSeconds: STATE_TTL_SECONDS });
      return { result: undefined, targetType: 'SsoConfiguration', targetId: configuration.id, after: { issuer: configuration.issuer } };
    });
    const url = new URL(provider.authorizationEndpoint);
    for (const [name, value] of Object.entries({ response_type: 'id_token', scope: 'openid email profile', client_id: configuration.clientId, redirect_uri: redirect, state, nonce, login_hint: normalised })) {
      url.searchParams.set(name, value);
    }
    return { authorizationUrl: url.toString(), state, expiresAt: new Date(Date.now() + STATE_TTL_SECONDS * 1000) };
  }

  /** An ID token for the state of beginSsoLogin: the state is used up, the token must carry its nonce. */
  async login(idToken: string, state: string): Promise<AuthPayloadValue> {
    const attempt = await this.ctx.loginThrottle.begin(this.ctx.principal.clientAddress);
    const { nonce, configuration } = await this.consumeState(state);
    const payload = await verifyIdToken(idToken, configuration, nonce);
    const email = allowedEmailOf(payload, configuration);
    const chain = await this.ctx.access.chains.load(configuration.accountId);
    if (!chain || chain.chainStatus !== 'ACTIVE') throw new AppError('ACCOUNT_CLOSED', 'The account of this sign-in is not active');
    await this.ctx.loginThrottle.succeeded(attempt);
    return mutate(auditScope(this.ctx, chain), 'loginWithSso', async (tx) => {
      // A token signs in once (no replay of a captured token before it expires); a refused
      // sign-in rolls this back with the rest, so the token stays usable.
      if (!(await new SsoStore(tx).claimTokenUse(hashSecret(idToken), payload.exp!))) throw invalidToken('already used');
      const users = new UserStore(tx);
      const user = await findOrCreateUser(tx, configuration.issuer, payload.sub!, email, displayNameOf(payload, email));
      const membership = await findOrCreateMembership(new MembershipStore(tx), user.id, configuration);
      const session = await new SessionService(this.ctx).openSession(users, user, configuration.accountId);
      return {
        result: session,
        principal: { kind: 'USER', id: user.id, actingAccountId: configuration.accountId },
        actingAccountId: configuration.accountId,
        targetType: 'Membership',
        targetId: membership.id,
        after: { issuer: configuration.issuer },
      };
    });
  }

  /** Uses up the state of beginSsoLogin: its nonce and the configuration it was made for. */
  private async consumeState(state: string): Promise<{ nonce: string; configuration: SsoConfigurationRow }> {
    if (typeof state !== 'string' || !STATE_PATTERN.test(state)) throw new AppError('SSO_STATE_INVALID', 'The sign-in state is malformed');
    const issued = await this.ctx.sso.consumeSsoLoginState(hashSecret(state));
    const [configuration] = issued ? await this.ctx.sso.findSsoConfigurationsById([issued.configurationId]) : [];
    if (!issued || !configuration) throw new AppError('SSO_STATE_INVALID', 'The sign-in state is unknown, expired or already used; start again');
    return { nonce: issued.nonce, configuration };
  }

  /** The configuration's settings, normalised (trimmed, domains lower-cased and sorted, defaults applied). */
  private assertSettings(input: SsoConfigurationInput) {
    const issuer = this.assertIssuer(input.issuer);
    const clientId = input.clientId.trim();
    if (!clientId || clientId.length > 200) throw errors.badInput('clientId must be 1 to 200 characters', 'clientId');
    const allowedDomains = [...new Set(input.allowedDomains.map((d) => d.trim().toLowerCase()))].sort();
    if (allowedDomains.length === 0 || allowedDomains.length > 50) throw errors.badInput('allowedDomains needs 1 to 50 domains', 'allowedDomains');
    for (const domain of allowedDomains) if (!DOMAIN_PATTERN.test(domain)) throw errors.badInput(`"${domain.slice(0, 100)}" is not a domain name`, 'allowedDomains');
    const defaultRole = input.defaultRole ?? 'BASIC_USER';
    if (!ROLES.includes(defaultRole)) throw errors.badInput('defaultRole is not a role', 'defaultRole');
    return { issuer, clientId, allowedDomains, defaultRole, requireSso: input.requireSso ?? false };
  }

  /** An absolute https URL (http only for loopback clients or with SSO_ALLOW_HTTP_ISSUERS); the provider checks it is registered. */
  private assertRedirectUri(raw: string): string {
    let url: URL;
    try {
      url = new URL(raw.trim());
    } catch {
      throw errors.badInput('redirectUri must be a URL', 'redirectUri');
    }
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    if (raw.length > 2000 || url.hash || !(url.protocol === 'https:' || (url.protocol === 'http:' && (loopback || this.ctx.config.ssoAllowHttpIssuers)))) {
      throw errors.badInput('redirectUri must be an https URL without a fragment', 'redirectUri');
    }
    return url.toString();
  }

  private assertIssuer(raw: string): string {
    let url: URL;
    try {
      url = new URL(raw.trim());
    } catch {
      throw errors.badInput('issuer must be a URL', 'issuer');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.ctx.config.ssoAllowHttpIssuers)) {
      throw errors.badInput('issuer must use https', 'issuer');
    }
    if (url.search || url.hash) throw errors.badInput('issuer must not have a query or fragment', 'issuer');
    return raw.trim();
  }
}
