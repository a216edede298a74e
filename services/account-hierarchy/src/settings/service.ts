import { mutate } from '@platform/audit';
import { validateSettingsInput } from '@platform/authz';
import { AppError, assertId, assertName, checkAll } from '@platform/errors';
import type { AccountSettingsInput } from '../__generated__/resolvers-types';
import type { HierarchyContext } from '../context';
import { SCHEMA } from '../data-source';
import { AccountWriter, type AccountRow } from '../accounts/store';
import { ownOverridesOf, writeSettings } from './store';

/** Inherited settings (SPEC H5): an account's own overrides, and its name, change in one transaction. */
export class SettingsService {
  constructor(private readonly ctx: HierarchyContext) {}

  async updateSettings(id: string, input: AccountSettingsInput): Promise<AccountRow> {
    assertId(id, 'id');
    const chain = await this.ctx.access.require(id, 'system-configuration');
    const [name, { set, clear }] = checkAll([
      () => (input.name === undefined || input.name === null ? undefined : assertName(String(input.name))),
      () => validateSettingsInput(input),
    ] as const);
    const scope = { dataSource: this.ctx.dataSource, schema: SCHEMA, principal: this.ctx.principal, chain };
    const updated = await mutate(scope, 'updateAccountSettings', async (tx) => {
      const writer = new AccountWriter(tx);
      const account = (await writer.findForUpdate(chain.id))!;
      if (account.status === 'CLOSED') throw new AppError('ACCOUNT_CLOSED', 'A closed account cannot be changed');
      const settingsBefore = await ownOverridesOf(tx, account.id);
      if (name !== undefined) await writer.rename(account.id, name);
      if (Object.keys(set).length > 0 || clear.length > 0) await writeSettings(tx, account.id, set, clear);
      const renamed = (await writer.findForUpdate(account.id))!;
      return {
        result: renamed,
        targetType: 'Account',
        targetId: renamed.id,
        before: { name: account.name, settings: settingsBefore },
        after: { name: renamed.name, settings: await ownOverridesOf(tx, account.id) },
      };
    });
    this.ctx.forgetCachedTree();
    return updated;
  }
}
