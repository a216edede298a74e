import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AccessControl, type AccountChain, type Grant, type Principal } from '@platform/authz';
import type { PlatformConfig } from '@platform/config';
import type { Logger } from '@platform/server';
import { createMessagingContext, type MessagingContext } from '../context';

/**
 * The platform acting for one account without a user (email to SMS, automation auto-replies):
 * `account.view` and `messages.send` on that account only. No membership, hence no per-user
 * limits (SPEC I6) and no user credit limit; every account-level check of the send path (M2) holds.
 */
class AccountServiceAccess extends AccessControl {
  constructor(
    principal: Principal,
    db: DataSource,
    private readonly chain: AccountChain,
  ) {
    super(principal, db);
  }

  override grants(): Promise<Grant[]> {
    return Promise.resolve([{ membershipId: null, accountId: this.chain.id, accountPath: this.chain.path, role: null, permissions: new Set(['account.view', 'messages.send'] as const) }]);
  }
}

/** A messaging context that sends as `chain`'s account; `actor` names the feature in the activity log (a SERVICE principal). */
export function accountServiceContext(dataSource: DataSource, config: PlatformConfig, logger: Logger, chain: AccountChain, actor: string): MessagingContext {
  const principal: Principal = { kind: 'SERVICE', id: actor, actingAccountId: chain.id, sessionId: null, requestId: crypto.randomUUID() };
  return createMessagingContext({ principal, access: new AccountServiceAccess(principal, dataSource, chain), requestId: principal.requestId!, logger, config }, dataSource);
}
