import type { BillingAddressInput, Plan } from '../__generated__/resolvers-types';
import { byKey, groupBy, queryOne, queryRows, type Sql } from '@platform/db';

/** A billing address as stored (jsonb): only the fields that were given. */
export type StoredAddress = Partial<Record<keyof BillingAddressInput, string>>;

export interface ProfileRow {
  account_id: string;
  plan: Plan;
  billing_email: string | null;
  address: StoredAddress;
}

export interface PaymentMethodRow {
  id: string;
  accountId: string;
  brand: string;
  last4: string;
  isDefault: boolean;
  createdAt: Date;
}

/** Never the provider token: it stays in the database (SPEC B5). */
export const PAYMENT_METHOD_COLUMNS = `id, account_id AS "accountId", brand, last4, is_default AS "isDefault", created_at AS "createdAt"`;

/** For a DataLoader: the billing profile of each account (null: the defaults). */
export async function profilesOf(db: Sql, accountIds: readonly string[]): Promise<(ProfileRow | null)[]> {
  const rows = await queryRows<ProfileRow>(db, `SELECT * FROM billing.billing_profiles WHERE account_id = ANY($1::uuid[])`, [accountIds]);
  return byKey(accountIds, rows, (row) => row.account_id);
}

export function profileOf(db: Sql, accountId: string): Promise<ProfileRow | null> {
  return queryOne<ProfileRow>(db, `SELECT * FROM billing.billing_profiles WHERE account_id = $1`, [accountId]);
}

/** For a DataLoader: the payment methods of each account, oldest first (removed ones left out). */
export async function paymentMethodsOf(db: Sql, accountIds: readonly string[]): Promise<PaymentMethodRow[][]> {
  const rows = await queryRows<PaymentMethodRow>(
    db,
    `SELECT ${PAYMENT_METHOD_COLUMNS} FROM billing.payment_methods
      WHERE account_id = ANY($1::uuid[]) AND removed_at IS NULL ORDER BY created_at, id`,
    [accountIds],
  );
  return groupBy(accountIds, rows, (row) => row.accountId);
}
