import { mutate, recordActivity, type AuditedChange } from '@platform/audit';
import type { AccountChain } from '@platform/authz';
import { inTransaction, type Sql } from '@platform/db';
import { publishEvent } from '@platform/events';
import { AppError, assertId, assertName } from '@platform/errors';
import type { CreateSubAccountInput } from '../__generated__/resolvers-types';
import type { HierarchyContext } from '../context';
import { SCHEMA } from '../data-source';
import { chainBelow } from './loaders';
import { AccountWriter, MAX_DEPTH, type AccountRow } from './store';

/** Structural changes of the tree. Each runs in one transaction: a refusal writes nothing. */
export class AccountService {
  constructor(private readonly ctx: HierarchyContext) {}

  /**
   * A change of the account whose chain is `chain`, audited under that chain (SPEC I9); afterwards
   * this request forgets what it cached about the tree.
   */
  private async change(chain: AccountChain, action: string, work: (writer: AccountWriter, tx: Sql) => Promise<AuditedChange<AccountRow>>): Promise<AccountRow> {
    const scope = { dataSource: this.ctx.dataSource, schema: SCHEMA, principal: this.ctx.principal, chain };
    const account = await mutate(scope, action, (tx) => work(new AccountWriter(tx), tx));
    this.ctx.forgetCachedTree();
    return account;
  }

  /**
   * A change that gives the account a new path (a new child, a moved subtree): its entry is written
   * last, under the chain the account has afterwards.
   */
  private async reshape(
    action: string,
    work: (writer: AccountWriter, tx: Sql) => Promise<{ account: AccountRow; chainAfter: AccountChain | null; before?: unknown; after?: unknown }>,
  ): Promise<AccountRow> {
    const account = await inTransaction(this.ctx.dataSource, async (tx) => {
      const { account, chainAfter, before, after } = await work(new AccountWriter(tx), tx);
      if (chainAfter) {
        await recordActivity(tx, { schema: SCHEMA, principal: this.ctx.principal, chain: chainAfter }, action, { targetType: 'Account', targetId: account.id, before, after });
      }
      return account;
    });
    this.ctx.forgetCachedTree();
    return account;
  }

  /** Status changes and moves are decided by whoever manages the parent's sub-accounts. */
  private async requireManagerOfParent(chain: AccountChain): Promise<void> {
    if (!chain.parentId) throw new AppError('FORBIDDEN', 'A parent account is managed by the platform operator');
    if (!(await this.ctx.access.can(chain.parentId, 'sub-accounts'))) {
      throw new AppError('FORBIDDEN', "Only managers of the parent account's sub-accounts may do this");
    }
  }

  async createSubAccount(input: CreateSubAccountInput): Promise<AccountRow> {
    const parentId = assertId(input.parentId, 'parentId');
    const name = assertName(input.name);
    const parentChain = await this.ctx.access.require(parentId, 'sub-accounts');
    return this.reshape('createSubAccount', async (writer, tx) => {
      await writer.lockTree(parentChain.rootId);
      const parent = (await writer.findForUpdate(parentId))!;
      assertMayHaveNewChild(parent, parentChain);
      const child = await writer.insertChild(parent, name);
      const created = { name: child.name, parentId: parent.id, depth: child.depth };
      await publishEvent(tx, SCHEMA, { type: 'account.created', accountId: child.id, accountPath: child.path, data: created });
      return { account: child, chainAfter: chainBelow(parentChain, child), before: null, after: created };
    });
  }

  async moveAccount(id: string, newParentId: string): Promise<AccountRow> {
    assertId(id, 'id');
    assertId(newParentId, 'newParentId');
    const chain = await this.ctx.access.require(id, 'account.view');
    await this.requireManagerOfParent(chain);
    const newParentChain = await this.ctx.access.require(newParentId, 'sub-accounts');
    assertMoveWithinTree(chain, newParentChain);
    return this.reshape('moveAccount', async (writer, tx) => {
      await writer.lockTree(chain.rootId);
      const account = (await writer.findForUpdate(chain.id))!;
      const newParent = (await writer.findForUpdate(newParentChain.id))!;
      assertMayMoveUnder(account, newParent);
      if (account.parentId === newParent.id) return { account, chainAfter: null };
      await assertSubtreeFitsUnder(writer, account, newParent);
      await writer.moveSubtree(account, newParent);
      const moved = (await writer.findForUpdate(account.id))!;
      // Routed by the new path: the new ancestors' subscriptions with includeSubAccounts receive it.
      await publishEvent(tx, SCHEMA, { type: 'account.moved', accountId: moved.id, accountPath: moved.path, data: { previousParentId: account.parentId, parentId: moved.parentId, depth: moved.depth } });
      return {
        account: moved,
        chainAfter: chainBelow(newParentChain, moved),
        before: { parentId: account.parentId, path: account.path },
        after: { parentId: moved.parentId, path: moved.path },
      };
    });
  }

  async closeAccount(id: string, cascade: boolean): Promise<AccountRow> {
    assertId(id, 'id');
    const chain = await this.ctx.access.require(id, 'account.view');
    await this.requireManagerOfParent(chain);
    return this.change(chain, 'closeAccount', async (writer, tx) => {
      await writer.lockTree(chain.rootId);
      const account = (await writer.findForUpdate(chain.id))!;
      if (account.status === 'CLOSED') return { result: account, unchanged: true };
      if (!cascade && (await writer.countOpenChildren(account.id)) > 0) {
        throw new AppError('ACCOUNT_HAS_OPEN_CHILDREN', 'The account has open sub-accounts; close them first or pass cascade: true');
      }
      await writer.setStatus(account.id, 'CLOSED', { cascade });
      const closed = (await writer.findForUpdate(account.id))!;
      await publishEvent(tx, SCHEMA, { type: 'account.closed', accountId: closed.id, accountPath: closed.path, data: { cascade } });
      return { result: closed, targetType: 'Account', targetId: closed.id, before: { status: account.status }, after: { status: closed.status, cascade } };
    });
  }

  async setSuspended(id: string, suspended: boolean): Promise<AccountRow> {
    assertId(id, 'id');
    const chain = await this.ctx.access.require(id, 'account.view');
    await this.requireManagerOfParent(chain);
    return this.change(chain, suspended ? 'suspendAccount' : 'resumeAccount', async (writer) => {
      const account = (await writer.findForUpdate(chain.id))!;
      const from = suspended ? 'ACTIVE' : 'SUSPENDED';
      if (account.status !== from) {
        throw new AppError('INVALID_STATE', `Only ${from.toLowerCase()} accounts can be ${suspended ? 'suspended' : 'resumed'}`);
      }
      await writer.setStatus(account.id, suspended ? 'SUSPENDED' : 'ACTIVE', { cascade: false });
      const changed = (await writer.findForUpdate(account.id))!;
      return { result: changed, targetType: 'Account', targetId: changed.id, before: { status: account.status }, after: { status: changed.status } };
    });
  }
}

function assertMayHaveNewChild(parent: AccountRow, parentChain: AccountChain): void {
  if (parent.status === 'CLOSED') throw new AppError('ACCOUNT_CLOSED', 'Cannot create a sub-account under a closed account');
  if (parentChain.chainStatus === 'SUSPENDED') throw new AppError('ACCOUNT_SUSPENDED', 'Cannot create a sub-account under a suspended account');
  if (parent.depth >= MAX_DEPTH) throw new AppError('MAX_DEPTH_EXCEEDED', `A level-${MAX_DEPTH} account cannot have sub-accounts`);
}

function assertMoveWithinTree(chain: AccountChain, newParentChain: AccountChain): void {
  if (newParentChain.rootId !== chain.rootId) throw new AppError('INVALID_MOVE', 'An account can only move within its own tree');
  if (newParentChain.path.includes(chain.id)) throw new AppError('INVALID_MOVE', 'An account cannot move under itself or its own descendant');
}

/** The same checks on the locked rows: the tree may have changed since the chains were read. */
function assertMayMoveUnder(account: AccountRow, newParent: AccountRow): void {
  if (newParent.path.includes(account.id)) throw new AppError('INVALID_MOVE', 'An account cannot move under itself or its own descendant');
  if (account.status === 'CLOSED') throw new AppError('ACCOUNT_CLOSED', 'A closed account cannot be moved');
  if (newParent.status === 'CLOSED') throw new AppError('ACCOUNT_CLOSED', 'Cannot move an account under a closed account');
}

async function assertSubtreeFitsUnder(writer: AccountWriter, account: AccountRow, newParent: AccountRow): Promise<void> {
  const deepest = await writer.subtreeMaxDepth(account.id);
  const newDeepest = deepest + newParent.depth + 1 - account.depth;
  if (newDeepest > MAX_DEPTH) {
    throw new AppError('MAX_DEPTH_EXCEEDED', `The moved subtree would reach level ${newDeepest}; the limit is ${MAX_DEPTH}`);
  }
}
