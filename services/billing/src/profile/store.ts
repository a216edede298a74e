import type { BillingAddressInput, Plan } from '../__generated__/resolvers-types';
import { byKey, groupBy, queryOne, queryRows, type Sql } from '@platform/db';

/** A billing address as stored (jsonb): only the fields that were given. */
export type StoredAddress = Partial<Record<keyof BillingAddressInput, string>>;

export interface ProfileRow {
  account_id: string;
  plan: Plan;
  /** the plan the customer asked for, until an operator sets the plan (SPEC O3) */
  requested_plan: Plan | null;
  plan_requested_at: Date | null;
  billing_email: string | null;
  address: StoredAddress;
}

const PROFILE_COLUMNS = 'account_id, plan, requested_plan, plan_requested_at, billing_email, address';

/** The profile of an account without a row: the defaults. */
export const defaultProfile = (accountId: string): ProfileRow => ({ account_id: accountId, plan: 'STANDARD', requested_plan: null, plan_requested_at: null, billing_email: null, address: {} });

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
  const rows = await queryRows<ProfileRow>(db, `SELECT ${PROFILE_COLUMNS} FROM billing.billing_profiles WHERE account_id = ANY($1::uuid[])`, [accountIds]);
  return byKey(accountIds, rows, (row) => row.account_id);
}

export function profileOf(db: Sql, accountId: string): Promise<ProfileRow | null> {
  return queryOne<ProfileRow>(db, `SELECT ${PROFILE_COLUMNS} FROM billing.billing_profiles WHERE account_id = $1`, [accountId]);
}

/** The account's profile, its row locked; an account without one gets the defaults first (a row to lock and a before). */
export async function lockProfile(tx: Sql, accountId: string): Promise<ProfileRow> {
  await queryRows(tx, `INSERT INTO billing.billing_profiles (account_id) VALUES ($1) ON CONFLICT (account_id) DO NOTHING`, [accountId]);
  return (await queryOne<ProfileRow>(tx, `SELECT ${PROFILE_COLUMNS} FROM billing.billing_profiles WHERE account_id = $1 FOR UPDATE`, [accountId]))!;
}

/** Billing email (when `email` is given) and address (when given); the plan is not the customer's. */
export async function updateBillingDetails(tx: Sql, accountId: string, email: string | undefined, address: StoredAddress | undefined): Promise<ProfileRow> {
  const [after] = await queryRows<ProfileRow>(tx,
    `UPDATE billing.billing_profiles SET billing_email = CASE WHEN $4 THEN $2 ELSE billing_email END,
       address = COALESCE($3::jsonb, address), updated_at = now()
     WHERE account_id = $1 RETURNING ${PROFILE_COLUMNS}`,
    [accountId, email ?? null, address ? JSON.stringify(address) : null, email !== undefined],
  );
  return after;
}

/** Records the customer's pending plan request. */
export async function setRequestedPlan(tx: Sql, accountId: string, plan: Plan): Promise<ProfileRow> {
  const [after] = await queryRows<ProfileRow>(tx,
    `UPDATE billing.billing_profiles SET requested_plan = $2, plan_requested_at = now(), updated_at = now() WHERE account_id = $1 RETURNING ${PROFILE_COLUMNS}`,
    [accountId, plan],
  );
  return after;
}

/** The operator's plan; a pending request is answered by it and cleared. */
export async function setPlan(tx: Sql, accountId: string, plan: Plan): Promise<ProfileRow> {
  const [after] = await queryRows<ProfileRow>(tx,
    `UPDATE billing.billing_profiles SET plan = $2, requested_plan = NULL, plan_requested_at = NULL, updated_at = now() WHERE account_id = $1 RETURNING ${PROFILE_COLUMNS}`,
    [accountId, plan],
  );
  return after;
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
