import { mutate, recordActivity } from '@platform/audit';
import { validateSettingsInput, type AccountStatus } from '@platform/authz';
import { inTransaction, pageRequest, toConnection, withTotalCount, type PageArguments } from '@platform/db';
import { publishEvent } from '@platform/events';
import { AppError, assertId, assertName, errors } from '@platform/errors';
import type { HierarchyContext } from '../context';
import { SCHEMA } from '../data-source';
import { chainBelow } from '../accounts/loaders';
import { AccountWriter, type AccountRow } from '../accounts/store';
import { writeSettings } from '../settings/store';
import { countCustomers, findCustomers, recordClosureRequest, type ClosureRequestRow, type CustomerConnectionValue } from './store';

const CUSTOMER_PAGE = { defaultSize: 20, maxSize: 100, keyShape: ['string', 'string'] } as const;

/** A reason an operator gives for an action on a customer: kept in both logs. */
function assertReason(value: string): string {
  return assertName(value, 'reason', 500);
}

/** The operator's side of customer trees (SPEC O2, O3): onboarding and the status of any account. */
export class CustomerService {
  constructor(private readonly ctx: HierarchyContext) {}

  /**
   * A customer's top admin asks the operator to close its tree (issue 15 item 7): recorded, and
   * completed by an operator's operatorSetAccountStatus(CLOSED), which answers it.
   */
  async requestClosure(accountId: string, reason: string): Promise<ClosureRequestRow> {
    const chain = await this.ctx.access.require(assertId(accountId, 'accountId'), 'system-configuration');
    if (chain.parentId !== null) throw new AppError('FORBIDDEN', "A customer's closure is requested by its top admins on its parent account; sub-accounts are closed with closeAccount");
    const why = assertReason(reason);
    return mutate({ dataSource: this.ctx.dataSource, schema: SCHEMA, principal: this.ctx.principal, chain }, 'requestAccountClosure', async (tx) => {
      const request = await recordClosureRequest(tx, chain.id, why);
      if (!request) throw new AppError('ACCOUNT_CLOSED', 'The account is closed already');
      return { result: request, targetType: 'Account', targetId: chain.id, after: { closureRequested: true, reason: why } };
    });
  }

  async list(filter: { nameContains?: string | null; status?: AccountStatus | null; closureRequested?: boolean | null } | null | undefined, args: PageArguments): Promise<CustomerConnectionValue> {
    this.ctx.access.requireOperator('customers.read');
    const page = pageRequest(args, CUSTOMER_PAGE);
    const rows = await findCustomers(this.ctx.dataSource, filter ?? {}, page);
    for (const row of rows) this.ctx.loaders.prime([row.account], null);
    return withTotalCount(toConnection(rows, page, (row) => [row.createdAtKey, row.account.id]), () => countCustomers(this.ctx.dataSource, filter ?? {}));
  }

  /** A new parent account with its time zone; the operator then sets its billing terms and invites its first admin. */
  async create(input: { name: string; timezone?: string | null }): Promise<AccountRow> {
    this.ctx.access.requireOperator('customers.manage');
    const name = assertName(input.name);
    const { set } = validateSettingsInput({ timezone: input.timezone ?? 'UTC' });
    const account = await inTransaction(this.ctx.dataSource, async (tx) => {
      const root = await new AccountWriter(tx).insertRoot(name);
      await writeSettings(tx, root.id, set, []);
      const created = { name: root.name, depth: 0, timezone: set.timezone };
      await publishEvent(tx, SCHEMA, { type: 'account.created', accountId: root.id, accountPath: root.path, data: created });
      await recordActivity(tx, { schema: SCHEMA, principal: this.ctx.principal, chain: chainBelow(null, root) }, 'createCustomer', { targetType: 'Account', targetId: root.id, after: created });
      return root;
    });
    this.ctx.forgetCachedTree();
    return account;
  }

  async setStatus(input: { accountId: string; status: AccountStatus; reason: string; cascade?: boolean | null }): Promise<AccountRow> {
    const chain = await this.ctx.access.requireAsOperator(input.accountId, 'customers.manage');
    const reason = assertReason(input.reason);
    const cascade = input.cascade ?? false;
    const scope = { dataSource: this.ctx.dataSource, schema: SCHEMA, principal: this.ctx.principal, chain };
    const account = await mutate(scope, 'operatorSetAccountStatus', async (tx) => {
      const writer = new AccountWriter(tx);
      await writer.lockTree(chain.rootId);
      const before = (await writer.findForUpdate(chain.id))!;
      if (before.status === input.status) return { result: before, unchanged: true };
      await this.applyStatus(writer, before, input.status, cascade);
      const after = (await writer.findForUpdate(chain.id))!;
      if (input.status === 'CLOSED') await publishEvent(tx, SCHEMA, { type: 'account.closed', accountId: after.id, accountPath: after.path, data: { cascade } });
      return { result: after, targetType: 'Account', targetId: after.id, before: { status: before.status }, after: { status: after.status, cascade, reason } };
    });
    this.ctx.forgetCachedTree();
    return account;
  }

  private async applyStatus(writer: AccountWriter, account: AccountRow, status: AccountStatus, cascade: boolean): Promise<void> {
    if (status === 'ACTIVE') {
      if (account.status === 'CLOSED') return writer.reopen(account, { cascade });
      return writer.setStatus(account.id, 'ACTIVE', { cascade: false });
    }
    if (account.status === 'CLOSED') throw new AppError('INVALID_STATE', 'A closed account is reopened first (status ACTIVE)');
    if (status === 'CLOSED' && !cascade && (await writer.countOpenChildren(account.id)) > 0) {
      throw new AppError('ACCOUNT_HAS_OPEN_CHILDREN', 'The account has open sub-accounts; pass cascade: true to close them too');
    }
    if (status !== 'SUSPENDED' && status !== 'CLOSED') throw errors.badInput('status is not an account status', 'status');
    return writer.setStatus(account.id, status, { cascade: status === 'CLOSED' && cascade });
  }
}
