import type { DataSource } from 'typeorm';
import { recordActivity } from '@platform/audit';
import { hashSecret, isOperatorRole, OPERATOR_SESSION_PREFIX, OPERATOR_SETUP_PREFIX, randomToken, type OperatorRole, type Principal } from '@platform/authz';
import { inTransaction, type Sql } from '@platform/db';
import { AppError, assertId, assertName, errors } from '@platform/errors';
import { OutboxMailSender } from '@platform/mail';
import type { IdentityContext } from '../context';
import { SCHEMA } from '../data-source';
import { assertPassword, burnPasswordCheck, hashPassword, verifyPassword } from '../sessions/passwords';
import { normaliseEmail } from '../sessions/service';
import { OperatorStore, type OperatorRow, type OperatorStatus } from './store';

/** A setup link works for a day, once. */
const SETUP_TTL_SECONDS = 24 * 3600;
const SETUP_TOKEN_PATTERN = new RegExp(`^${OPERATOR_SETUP_PREFIX}_[0-9A-Za-z]{43}$`);
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface OperatorSession {
  token: string;
  expiresAt: Date;
  operator: OperatorRow;
}

export interface OperatorSetup {
  operator: OperatorRow;
  setupLink: string;
  expiresAt: Date;
}

const asActor = (operator: OperatorRow): Principal => ({ kind: 'OPERATOR', id: operator.id, actingAccountId: null, sessionId: null, operatorRole: operator.role });

/** The one-time link an operator sets their password with (served by the portal); the token is in no table. */
const setupLinkFor = (token: string) => `/operator/setup?token=${token}`;

/**
 * Creates an operator and their one-time setup link, mailed to them: the bootstrap command
 * (`npm run operator:create`, no principal) and `createOperator` (an OPERATOR_ADMIN) both use it.
 */
export async function createOperatorWithSetupLink(
  tx: Sql,
  input: { email: string; name: string; role: OperatorRole },
  options: { createdBy: OperatorRow | null; mailSecret: string },
): Promise<OperatorSetup> {
  const email = normaliseEmail(input.email);
  if (!EMAIL_PATTERN.test(email) || email.length > 254) throw errors.badInput('email is not an email address', 'email');
  const name = assertName(input.name);
  if (!isOperatorRole(input.role)) throw errors.badInput('role is not an operator role', 'role');
  const store = new OperatorStore(tx);
  const operator = await store.insert({ email, name, role: input.role, createdBy: options.createdBy?.id ?? null });
  if (!operator) throw new AppError('ALREADY_EXISTS', 'An operator with this email exists already');
  const token = randomToken(OPERATOR_SETUP_PREFIX);
  const setup = await store.insertSetupToken(operator.id, hashSecret(token), SETUP_TTL_SECONDS);
  const setupLink = setupLinkFor(token);
  await new OutboxMailSender(SCHEMA, options.mailSecret).send(tx, {
    to: email,
    subject: 'Your operator account on the messaging platform',
    template: 'operator-setup',
    text: [`${options.createdBy ? `${options.createdBy.name} added you` : 'You were added'} as ${input.role} of the messaging platform.`, `Set your password: ${setupLink}`, `The link works once, until ${setup!.expiresAt.toISOString()}.`].join('\n'),
  });
  await recordActivity(tx, { schema: SCHEMA, principal: asActor(options.createdBy ?? operator), chain: null }, 'createOperator', {
    targetType: 'Operator',
    targetId: operator.id,
    after: { email, name, role: input.role },
  });
  return { operator, setupLink, expiresAt: setup!.expiresAt };
}

/** The bootstrap of an install: the first operator (or another), from the command line. */
export function bootstrapOperator(dataSource: DataSource, input: { email: string; name: string; role: OperatorRole }, mailSecret: string): Promise<OperatorSetup> {
  return inTransaction(dataSource, (tx) => createOperatorWithSetupLink(tx, input, { createdBy: null, mailSecret }));
}

/** The operator realm (SPEC O1): sign-in, setup, and the management of operators. */
export class OperatorService {
  constructor(private readonly ctx: IdentityContext) {}

  private get store() {
    return new OperatorStore(this.ctx.dataSource);
  }

  async me(): Promise<OperatorRow | null> {
    return this.ctx.access.isOperator ? this.store.findById(this.ctx.principal.id!) : null;
  }

  async list(): Promise<OperatorRow[]> {
    this.ctx.access.requireOperator('operators.manage');
    return this.store.list();
  }

  /** UNAUTHENTICATED alike for an unknown email, a wrong password, a disabled operator or one without a password yet. */
  async login(email: string, password: string): Promise<OperatorSession> {
    if (this.ctx.principal.kind === 'API_KEY') throw new AppError('FORBIDDEN', 'An API key cannot open an operator session');
    const normalised = normaliseEmail(email);
    const attempt = await this.ctx.loginThrottle.begin(this.ctx.principal.clientAddress, `operator:${normalised}`);
    const operator = await this.store.findByEmail(normalised);
    if (!operator?.passwordHash || operator.status !== 'ACTIVE') {
      await burnPasswordCheck(password);
      throw errors.unauthenticated('Invalid email or password');
    }
    if (!(await verifyPassword(password, operator.passwordHash))) throw errors.unauthenticated('Invalid email or password');
    await this.ctx.loginThrottle.succeeded(attempt);
    return inTransaction(this.ctx.dataSource, (tx) => this.openSession(tx, operator, 'operatorLogin'));
  }

  async logout(): Promise<boolean> {
    const sessionId = this.ctx.principal.sessionId;
    if (!this.ctx.access.isOperator || !sessionId) throw errors.unauthenticated();
    await inTransaction(this.ctx.dataSource, async (tx) => {
      await new OperatorStore(tx).revokeSession(sessionId);
      await recordActivity(tx, { schema: SCHEMA, principal: this.ctx.principal, chain: null }, 'operatorLogout', { targetType: 'Operator', targetId: this.ctx.principal.id });
    });
    return true;
  }

  async completeSetup(token: string, password: string): Promise<OperatorSession> {
    if (!SETUP_TOKEN_PATTERN.test(token)) throw new AppError('INVALID_TOKEN', 'The setup token is unknown');
    assertPassword(password);
    const passwordHash = await hashPassword(password);
    return inTransaction(this.ctx.dataSource, async (tx) => {
      const store = new OperatorStore(tx);
      const operatorId = await store.consumeSetupToken(hashSecret(token));
      if (!operatorId) throw new AppError('INVALID_TOKEN', 'The setup token is unknown, expired or already used');
      const operator = await store.setPassword(operatorId, passwordHash);
      if (!operator || operator.status !== 'ACTIVE') throw new AppError('INVALID_TOKEN', 'The setup token is unknown, expired or already used');
      return this.openSession(tx, operator, 'completeOperatorSetup');
    });
  }

  async create(input: { email: string; name: string; role: OperatorRole }): Promise<OperatorSetup> {
    this.ctx.access.requireOperator('operators.manage');
    const creator = await this.store.findById(this.ctx.principal.id!);
    if (!creator) throw errors.unauthenticated();
    return inTransaction(this.ctx.dataSource, (tx) => createOperatorWithSetupLink(tx, input, { createdBy: creator, mailSecret: this.ctx.config.internalSigningSecret }));
  }

  async setStatus(id: string, status: OperatorStatus): Promise<OperatorRow> {
    this.ctx.access.requireOperator('operators.manage');
    const operatorId = assertId(id);
    if (operatorId === this.ctx.principal.id) throw errors.badInput('An operator cannot change their own status', 'id');
    return inTransaction(this.ctx.dataSource, async (tx) => {
      const store = new OperatorStore(tx);
      const before = await store.findById(operatorId);
      if (!before) throw errors.notFound('Operator');
      const after = (await store.setStatus(operatorId, status))!;
      if (status === 'DISABLED') await store.revokeSessionsOf(operatorId);
      await recordActivity(tx, { schema: SCHEMA, principal: this.ctx.principal, chain: null }, 'setOperatorStatus', { targetType: 'Operator', targetId: operatorId, before: { status: before.status }, after: { status } });
      return after;
    });
  }

  private async openSession(tx: Sql, operator: OperatorRow, action: string): Promise<OperatorSession> {
    const token = randomToken(OPERATOR_SESSION_PREFIX);
    const session = (await new OperatorStore(tx).openSession(operator.id, hashSecret(token), this.ctx.config.operatorSessionTtlSeconds))!;
    await recordActivity(tx, { schema: SCHEMA, principal: asActor(operator), chain: null }, action, { targetType: 'Operator', targetId: operator.id });
    return { token, expiresAt: session.expiresAt, operator };
  }
}
