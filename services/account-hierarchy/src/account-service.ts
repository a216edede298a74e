import type { EntityManager } from 'typeorm';
import { appendActivity } from '@platform/audit';
import { publishEvent } from '@platform/events';
import { AppError, assertId, assertName, errors } from '@platform/errors';
import type { AccountChain } from '@platform/authz';
import type { HierarchyContext } from './context';
import { AccountWriter, MAX_DEPTH, type AccountRow } from './repositories/account-repository';
import { validateSettingsInput } from './settings';

/** Structural changes of the tree. Each runs in one transaction: a refusal writes nothing. */
export class AccountService {
  constructor(private readonly ctx: HierarchyContext) {}

  /** Runs the change in one transaction, then forgets what this request cached about the tree. */
  private async transaction<T>(work: (writer: AccountWriter, manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.ctx.dataSource.transaction((manager) => work(new AccountWriter(manager), manager));
    this.ctx.access.clearCache();
    this.ctx.loaders.accountById.clearAll();
    this.ctx.loaders.childrenByParentId.clearAll();
    this.ctx.loaders.settingsByAccountId.clearAll();
    return result;
  }

  /** The activity-log entry of a change (SPEC I9), written in the change's own transaction. */
  private logActivity(manager: EntityManager, account: AccountRow, action: string, before: unknown, after: unknown) {
    return appendActivity(manager, 'hierarchy', {
      principal: this.ctx.principal,
      treeId: account.root_id,
      targetAccountPath: account.path,
      action,
      targetType: 'Account',
      targetId: account.id,
      before,
      after,
    });
  }

  private async settingsOf(manager: EntityManager, accountId: string): Promise<unknown> {
    const rows: { overrides: unknown }[] = await manager.query(`SELECT overrides FROM hierarchy.account_settings WHERE account_id = $1`, [accountId]);
    return rows[0]?.overrides ?? {};
  }

  /** Status changes and moves are decided by whoever manages the parent's sub-accounts. */
  private async requireManagerOfParent(chain: AccountChain): Promise<void> {
    if (!chain.parentId) throw new AppError('FORBIDDEN', 'A parent account is managed by the platform operator');
    if (!(await this.ctx.access.can(chain.parentId, 'sub-accounts'))) {
      throw new AppError('FORBIDDEN', "Only managers of the parent account's sub-accounts may do this");
    }
  }

  async createSubAccount(input: { parentId: string; name: string }): Promise<AccountRow> {
    const parentId = assertId(input.parentId, 'parentId');
    const name = assertName(input.name);
    const parentChain = await this.ctx.access.require(parentId, 'sub-accounts');
    return this.transaction(async (writer, manager) => {
      await writer.lockTree(parentChain.rootId);
      const parent = (await writer.findForUpdate(parentId))!;
      if (parent.status === 'CLOSED') throw new AppError('ACCOUNT_CLOSED', 'Cannot create a sub-account under a closed account');
      if (parentChain.chainStatus === 'SUSPENDED') throw new AppError('ACCOUNT_SUSPENDED', 'Cannot create a sub-account under a suspended account');
      if (parent.depth >= MAX_DEPTH) {
        throw new AppError('MAX_DEPTH_EXCEEDED', `A level-${MAX_DEPTH} account cannot have sub-accounts`);
      }
      const child = await writer.insertChild(parent, name);
      await this.logActivity(manager, child, 'createSubAccount', null, { name: child.name, parentId: parent.id, depth: child.depth });
      await publishEvent(manager, 'hierarchy', { type: 'account.created', accountId: child.id, accountPath: child.path, data: { name: child.name, parentId: parent.id, depth: child.depth } });
      return child;
    });
  }

  async moveAccount(id: string, newParentId: string): Promise<AccountRow> {
    assertId(id, 'id');
    assertId(newParentId, 'newParentId');
    const chain = await this.ctx.access.require(id, 'account.view');
    await this.requireManagerOfParent(chain);
    const newParentChain = await this.ctx.access.require(newParentId, 'sub-accounts');
    if (newParentChain.rootId !== chain.rootId) throw new AppError('INVALID_MOVE', 'An account can only move within its own tree');
    if (newParentChain.path.includes(chain.id)) throw new AppError('INVALID_MOVE', 'An account cannot move under itself or its own descendant');
    return this.transaction(async (writer, manager) => {
      await writer.lockTree(chain.rootId);
      const account = (await writer.findForUpdate(chain.id))!;
      const newParent = (await writer.findForUpdate(newParentChain.id))!;
      if (newParent.path.includes(account.id)) throw new AppError('INVALID_MOVE', 'An account cannot move under itself or its own descendant');
      if (account.status === 'CLOSED') throw new AppError('ACCOUNT_CLOSED', 'A closed account cannot be moved');
      if (newParent.status === 'CLOSED') throw new AppError('ACCOUNT_CLOSED', 'Cannot move an account under a closed account');
      if (account.parent_id === newParent.id) return account;
      const deepest = await writer.subtreeMaxDepth(account.id);
      const newDeepest = deepest + newParent.depth + 1 - account.depth;
      if (newDeepest > MAX_DEPTH) {
        throw new AppError('MAX_DEPTH_EXCEEDED', `The moved subtree would reach level ${newDeepest}; the limit is ${MAX_DEPTH}`);
      }
      await writer.moveSubtree(account, newParent);
      const moved = (await writer.findForUpdate(account.id))!;
      await this.logActivity(manager, moved, 'moveAccount', { parentId: account.parent_id, path: account.path }, { parentId: moved.parent_id, path: moved.path });
      // Routed by the new path: the new ancestors' subscriptions with includeSubAccounts receive it.
      await publishEvent(manager, 'hierarchy', { type: 'account.moved', accountId: moved.id, accountPath: moved.path, data: { previousParentId: account.parent_id, parentId: moved.parent_id, depth: moved.depth } });
      return moved;
    });
  }

  async updateSettings(id: string, input: Record<string, unknown>): Promise<AccountRow> {
    assertId(id, 'id');
    const chain = await this.ctx.access.require(id, 'system-configuration');
    const name = input.name === undefined || input.name === null ? undefined : assertName(String(input.name));
    const { set, clear } = validateSettingsInput(input);
    return this.transaction(async (writer, manager) => {
      const account = (await writer.findForUpdate(chain.id))!;
      if (account.status === 'CLOSED') throw new AppError('ACCOUNT_CLOSED', 'A closed account cannot be changed');
      const settingsBefore = await this.settingsOf(manager, account.id);
      if (name !== undefined) await writer.rename(account.id, name);
      if (Object.keys(set).length > 0 || clear.length > 0) await writer.writeSettings(account.id, set, clear);
      const updated = (await writer.findForUpdate(account.id))!;
      await this.logActivity(
        manager,
        updated,
        'updateAccountSettings',
        { name: account.name, settings: settingsBefore },
        { name: updated.name, settings: await this.settingsOf(manager, account.id) },
      );
      return updated;
    });
  }

  async closeAccount(id: string, cascade: boolean): Promise<AccountRow> {
    assertId(id, 'id');
    const chain = await this.ctx.access.require(id, 'account.view');
    await this.requireManagerOfParent(chain);
    return this.transaction(async (writer, manager) => {
      await writer.lockTree(chain.rootId);
      const account = (await writer.findForUpdate(chain.id))!;
      if (account.status === 'CLOSED') return account;
      if (!cascade && (await writer.countOpenChildren(account.id)) > 0) {
        throw new AppError('ACCOUNT_HAS_OPEN_CHILDREN', 'The account has open sub-accounts; close them first or pass cascade: true');
      }
      await writer.setStatus(account.id, 'CLOSED', { cascade });
      const closed = (await writer.findForUpdate(account.id))!;
      await this.logActivity(manager, closed, 'closeAccount', { status: account.status }, { status: closed.status, cascade });
      await publishEvent(manager, 'hierarchy', { type: 'account.closed', accountId: closed.id, accountPath: closed.path, data: { cascade } });
      return closed;
    });
  }

  async setSuspended(id: string, suspended: boolean): Promise<AccountRow> {
    assertId(id, 'id');
    const chain = await this.ctx.access.require(id, 'account.view');
    await this.requireManagerOfParent(chain);
    return this.transaction(async (writer, manager) => {
      const account = (await writer.findForUpdate(chain.id))!;
      const from = suspended ? 'ACTIVE' : 'SUSPENDED';
      if (account.status !== from) {
        throw new AppError('INVALID_STATE', `Only ${from.toLowerCase()} accounts can be ${suspended ? 'suspended' : 'resumed'}`);
      }
      await writer.setStatus(account.id, suspended ? 'SUSPENDED' : 'ACTIVE', { cascade: false });
      const changed = (await writer.findForUpdate(account.id))!;
      await this.logActivity(manager, changed, suspended ? 'suspendAccount' : 'resumeAccount', { status: account.status }, { status: changed.status });
      return changed;
    });
  }
}

export function decodeCursor(cursor: string): { depth: number; name: string; id: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Number.isInteger(value.d) && typeof value.n === 'string' && typeof value.i === 'string') {
      return { depth: value.d, name: value.n, id: assertId(value.i) };
    }
  } catch {
    // fall through
  }
  throw errors.badInput('after is not a valid cursor', 'after');
}

export function encodeCursor(row: AccountRow): string {
  return Buffer.from(JSON.stringify({ d: row.depth, n: row.name, i: row.id })).toString('base64url');
}
