import { mutate } from '@platform/audit';
import { AccessControl, hashSecret, randomToken, SESSION_TOKEN_PREFIX } from '@platform/authz';
import type { Sql } from '@platform/db';
import { AppError, assertId, errors } from '@platform/errors';
import { auditScope, type IdentityContext } from '../context';
import { burnPasswordCheck, hashPassword, needsRehash, verifyPassword } from './passwords';
import { UserStore, type UserRow } from './store';

export interface AuthPayloadValue {
  token: string;
  expiresAt: Date;
  user: UserRow;
  activeAccountId: string | null;
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normaliseEmail(email: string): string {
  const normalised = email.trim().toLowerCase();
  if (normalised.length > 254 || !EMAIL_PATTERN.test(normalised)) throw errors.badInput('email is not a valid email address', 'email');
  return normalised;
}

/** Sessions: opaque random tokens, stored as SHA-256, expiring (SPEC I1, G2). */
export class SessionService {
  constructor(private readonly ctx: IdentityContext) {}

  async login(email: string, password: string, accountId?: string | null): Promise<AuthPayloadValue> {
    const user = await this.verifyCredentials(email, password);
    const acting = await this.chooseActingAccount(user.id, accountId);
    return this.changeSession('login', user.id, acting, async (tx) => ({ result: await this.openSession(new UserStore(tx), user, acting) }));
  }

  /**
   * The user an email and password prove, or UNAUTHENTICATED (the same for an unknown email).
   * Refused before any check when the email's organisation requires SSO (SSO_REQUIRED), or when
   * failed attempts from this address or on this email must wait (RATE_LIMITED). An outdated
   * hash (scrypt, weaker argon2) is replaced after a successful check.
   */
  async verifyCredentials(email: string, password: string): Promise<UserRow> {
    const normalised = normaliseEmail(email);
    await this.assertPasswordSignInAllowed(normalised);
    const attempt = await this.ctx.loginThrottle.begin(this.ctx.principal.clientAddress, normalised);
    const user = await this.ctx.users.findUserByEmail(normalised);
    if (!user?.passwordHash) {
      await burnPasswordCheck(password);
      throw errors.unauthenticated('Invalid email or password');
    }
    if (!(await verifyPassword(password, user.passwordHash))) throw errors.unauthenticated('Invalid email or password');
    await this.ctx.loginThrottle.succeeded(attempt);
    if (needsRehash(user.passwordHash)) {
      const rehashed = await hashPassword(password);
      await this.ctx.users.replacePasswordHash(user.id, user.passwordHash, rehashed);
    }
    return user;
  }

  /** SSO_REQUIRED when the tree that claimed the email's domain requires single sign-on (SPEC I8). */
  async assertPasswordSignInAllowed(email: string): Promise<void> {
    const configuration = await this.ctx.sso.findSsoConfigurationByDomain(email.slice(email.lastIndexOf('@') + 1));
    if (configuration?.requireSso) {
      throw new AppError('SSO_REQUIRED', 'Your organisation requires single sign-on: sign in through its identity provider');
    }
  }

  /** A change of the user's sessions, logged as theirs in the tree it acts in (the platform chain without an account). */
  private async changeSession<T>(
    action: string,
    userId: string,
    actingAccountId: string | null,
    work: (tx: Sql) => Promise<{ result: T; unchanged?: boolean }>,
  ): Promise<T> {
    const chain = actingAccountId ? await this.ctx.access.chains.load(actingAccountId) : null;
    return mutate(auditScope(this.ctx, chain), action, async (tx) => ({
      ...(await work(tx)),
      principal: { kind: 'USER', id: userId, actingAccountId },
      actingAccountId,
      targetType: 'Session',
    }));
  }

  async switchAccount(accountId: string): Promise<AuthPayloadValue> {
    const { principal } = this.ctx;
    if (principal.kind !== 'USER' || !principal.id || !principal.sessionId) throw errors.unauthenticated('A user session is required');
    const acting = await this.chooseActingAccount(principal.id, accountId);
    const user = await this.ctx.loaders.userById.load(principal.id);
    if (!user) throw errors.unauthenticated();
    return this.changeSession('switchAccount', user.id, acting, async (tx) => {
      const repository = new UserStore(tx);
      if (!(await repository.revokeSession(principal.sessionId!))) throw errors.unauthenticated('The session has ended');
      return { result: await this.openSession(repository, user, acting) };
    });
  }

  async logout(): Promise<boolean> {
    const { principal } = this.ctx;
    if (principal.kind !== 'USER' || !principal.sessionId) throw errors.unauthenticated('A user session is required');
    return this.changeSession('logout', principal.id!, principal.actingAccountId, async (tx) => {
      const revoked = await new UserStore(tx).revokeSession(principal.sessionId!);
      return { result: revoked, unchanged: !revoked };
    });
  }

  /**
   * The requested account if the user can see it, else the user's highest membership in their
   * home tree (that of their first membership): a guest membership elsewhere is never the default.
   */
  async chooseActingAccount(userId: string, accountId?: string | null): Promise<string | null> {
    const access = new AccessControl({ kind: 'USER', id: userId, actingAccountId: null, sessionId: null }, this.ctx.dataSource);
    if (accountId) {
      const id = assertId(accountId, 'accountId');
      if (!(await access.canView(id))) throw new AppError('NOT_FOUND', 'Account not found');
      return id;
    }
    const grants = await access.grants();
    if (grants.length === 0) return null;
    const rootOf = new Map(grants.map((g) => [g.accountId, g.accountPath[0]]));
    const memberships = await this.ctx.memberships.findMembershipsByUserIds([userId]);
    const homeRoot = memberships.map((m) => rootOf.get(m.accountId)).find((root) => root !== undefined);
    return (grants.find((g) => g.accountPath[0] === homeRoot) ?? grants[0]).accountId;
  }

  async openSession(users: UserStore, user: UserRow, actingAccountId: string | null): Promise<AuthPayloadValue> {
    const token = randomToken(SESSION_TOKEN_PREFIX);
    this.ctx.selfUserIds.add(user.id);
    const session = await users.insertSession({
      userId: user.id,
      tokenHash: hashSecret(token),
      actingAccountId,
      ttlSeconds: this.ctx.config.sessionTtlSeconds,
    });
    return { token, expiresAt: session.expiresAt, user, activeAccountId: actingAccountId };
  }
}
