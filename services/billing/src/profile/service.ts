import type { DataSource } from 'typeorm';
import { mutate } from '@platform/audit';
import type { AccessControl, AccountChain } from '@platform/authz';
import { queryOne, queryRows } from '@platform/db';
import { AppError, assertId, errors } from '@platform/errors';
import type { BillingProfileInput, Plan } from '../__generated__/resolvers-types';
import { auditScope } from '../activity';
import { lockProfile, PAYMENT_METHOD_COLUMNS, setPlan, setRequestedPlan, updateBillingDetails, type PaymentMethodRow, type ProfileRow, type StoredAddress } from './store';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The normalised email; undefined (for an absent or null billingEmail) keeps the stored one. */
function validBillingEmail(billingEmail: string | null | undefined): string | undefined {
  if (billingEmail === undefined || billingEmail === null) return undefined;
  const email = billingEmail.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) throw errors.badInput('billingEmail is not an email address', 'billingEmail');
  return email;
}

/** The trimmed, non-empty fields of an address; undefined keeps the stored address. */
function validAddress(input: BillingProfileInput['address']): StoredAddress | undefined {
  if (!input) return undefined;
  const address: Record<string, string> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === null || value === undefined) continue;
    const trimmed = String(value).trim();
    if (trimmed.length > 200 || /[\u0000-\u001f\u007f]/.test(trimmed)) throw errors.badInput(`address.${key} must be at most 200 printable characters`, `address.${key}`);
    if (key === 'country' && !/^[A-Z]{2}$/.test(trimmed)) throw errors.badInput('address.country is an ISO 3166 code such as FR', 'address.country');
    if (trimmed) address[key] = trimmed;
  }
  return address;
}

const profileView = (p: Pick<ProfileRow, 'plan' | 'billing_email' | 'address'>) => ({ plan: p.plan, billingEmail: p.billing_email, address: p.address });
const planView = (p: Pick<ProfileRow, 'plan' | 'requested_plan'>) => ({ plan: p.plan, requestedPlan: p.requested_plan });

/** A tree's plan lives on its parent account. */
function assertParentAccount(chain: AccountChain): void {
  if (chain.depth !== 0) throw errors.badInput('The plan is set on the parent account of a tree', 'accountId');
}

/** Billing profiles and payment methods (SPEC B5), plan requests and the operator's plans (SPEC O3); each change is audited. */
export class ProfileService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessControl,
  ) {}

  private requireBilling(accountId: string): Promise<AccountChain> {
    return this.access.require(assertId(accountId, 'accountId'), 'billing');
  }

  /** The profile after the change. */
  async updateBillingProfile(accountId: string, input: BillingProfileInput): Promise<ProfileRow> {
    const chain = await this.requireBilling(accountId);
    const email = validBillingEmail(input.billingEmail);
    const address = validAddress(input.address);
    return mutate(auditScope(this.dataSource, this.access, chain), 'updateBillingProfile', async (tx) => {
      const before = await lockProfile(tx, chain.id);
      const after = await updateBillingDetails(tx, chain.id, email, address);
      return { result: after, targetType: 'BillingProfile', targetId: chain.id, before: profileView(before), after: profileView(after) };
    });
  }

  /** SPEC O3: a customer admin (billing, on the tree's parent account) asks the operator for another plan. */
  async requestPlanChange(accountId: string, plan: Plan): Promise<ProfileRow> {
    const chain = await this.requireBilling(accountId);
    assertParentAccount(chain);
    return mutate(auditScope(this.dataSource, this.access, chain), 'requestPlanChange', async (tx) => {
      const before = await lockProfile(tx, chain.id);
      if (before.plan === plan) throw new AppError('INVALID_STATE', `The account is already on the ${plan} plan`);
      // asked again for the plan already requested: nothing changed
      if (before.requested_plan === plan) return { result: before, unchanged: true };
      const after = await setRequestedPlan(tx, chain.id, plan);
      return { result: after, targetType: 'BillingProfile', targetId: chain.id, before: planView(before), after: planView(after) };
    });
  }

  /** SPEC O3: the operator (finance) sets a tree's plan, which answers and clears a pending request. */
  async setCustomerPlan(accountId: string, plan: Plan): Promise<ProfileRow> {
    const chain = await this.access.requireAsOperator(assertId(accountId, 'accountId'), 'finance');
    assertParentAccount(chain);
    return mutate(auditScope(this.dataSource, this.access, chain), 'setCustomerPlan', async (tx) => {
      const before = await lockProfile(tx, chain.id);
      const after = await setPlan(tx, chain.id, plan);
      return { result: after, targetType: 'BillingProfile', targetId: chain.id, before: planView(before), after: planView(after) };
    });
  }

  async addPaymentMethod(accountId: string, providerToken: string, brand: string, last4: string, makeDefault: boolean): Promise<PaymentMethodRow> {
    const chain = await this.requireBilling(accountId);
    if (!/^tok_[A-Za-z0-9_]{1,100}$/.test(providerToken)) throw errors.badInput('providerToken is not a payment provider token', 'providerToken');
    if (!/^[0-9]{4}$/.test(last4)) throw errors.badInput('last4 is the last four digits only', 'last4');
    const cleanBrand = brand.trim();
    if (cleanBrand.length < 1 || cleanBrand.length > 30) throw errors.badInput('brand must be 1 to 30 characters', 'brand');
    return mutate(auditScope(this.dataSource, this.access, chain), 'addPaymentMethod', async (tx) => {
      const existingDefault = await queryOne<{ id: string }>(
        tx,
        `SELECT id FROM billing.payment_methods WHERE account_id = $1 AND is_default AND removed_at IS NULL FOR UPDATE`,
        [chain.id],
      );
      const isDefault = makeDefault || !existingDefault;
      if (isDefault && existingDefault) await tx.query(`UPDATE billing.payment_methods SET is_default = false WHERE account_id = $1 AND is_default`, [chain.id]);
      const [row] = await queryRows<PaymentMethodRow>(
        tx,
        `INSERT INTO billing.payment_methods (account_id, provider_token, brand, last4, is_default) VALUES ($1, $2, $3, $4, $5) RETURNING ${PAYMENT_METHOD_COLUMNS}`,
        [chain.id, providerToken, cleanBrand, last4, isDefault],
      );
      // Never the provider token nor card digits: the brand and the method's id are enough to follow it.
      return {
        result: row,
        targetType: 'PaymentMethod',
        targetId: row.id,
        before: { defaultPaymentMethodId: existingDefault?.id ?? null },
        after: { brand: cleanBrand, isDefault, defaultPaymentMethodId: isDefault ? row.id : (existingDefault?.id ?? null) },
      };
    });
  }

  async setDefaultPaymentMethod(accountId: string, paymentMethodId: string): Promise<PaymentMethodRow> {
    const chain = await this.requireBilling(accountId);
    const id = assertId(paymentMethodId, 'paymentMethodId');
    return mutate(auditScope(this.dataSource, this.access, chain), 'setDefaultPaymentMethod', async (tx) => {
      const method = await queryOne(tx, `SELECT id FROM billing.payment_methods WHERE id = $1 AND account_id = $2 AND removed_at IS NULL FOR UPDATE`, [id, chain.id]);
      if (!method) throw errors.notFound('Payment method');
      const previous = await queryRows<{ id: string }>(tx, `UPDATE billing.payment_methods SET is_default = false WHERE account_id = $1 AND is_default RETURNING id`, [chain.id]);
      const [row] = await queryRows<PaymentMethodRow>(tx, `UPDATE billing.payment_methods SET is_default = true WHERE id = $1 RETURNING ${PAYMENT_METHOD_COLUMNS}`, [id]);
      return {
        result: row,
        targetType: 'PaymentMethod',
        targetId: id,
        before: { defaultPaymentMethodId: previous[0]?.id ?? null },
        after: { defaultPaymentMethodId: id },
      };
    });
  }

  async removePaymentMethod(accountId: string, paymentMethodId: string): Promise<boolean> {
    const chain = await this.requireBilling(accountId);
    const id = assertId(paymentMethodId, 'paymentMethodId');
    return mutate(auditScope(this.dataSource, this.access, chain), 'removePaymentMethod', async (tx) => {
      const method = await queryOne<{ brand: string; is_default: boolean }>(
        tx,
        `SELECT brand, is_default FROM billing.payment_methods WHERE id = $1 AND account_id = $2 AND removed_at IS NULL FOR UPDATE`,
        [id, chain.id],
      );
      if (!method) throw errors.notFound('Payment method');
      await tx.query(`UPDATE billing.payment_methods SET removed_at = now(), is_default = false WHERE id = $1`, [id]);
      const autoTopUps = await queryRows(
        tx,
        `UPDATE billing.balances SET auto_top_up_payment_method_id = NULL WHERE auto_top_up_payment_method_id = $1 RETURNING account_id`,
        [id],
      );
      return {
        result: true,
        targetType: 'PaymentMethod',
        targetId: id,
        before: { brand: method.brand, isDefault: method.is_default, usedByAutoTopUp: autoTopUps.length > 0 },
        after: null,
      };
    });
  }
}
