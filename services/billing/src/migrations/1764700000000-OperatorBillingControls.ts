import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC O3: the billing controls of the platform operator. Manual credit adjustments are ledger
 * movements of their own kind (ADJUSTMENT, against the ADJUSTMENTS book) carrying the operator's
 * reason; a customer's plan change is a pending request on its profile until an operator sets the
 * plan; each payment callback of the provider is recorded once, so a replay changes nothing.
 */
export class OperatorBillingControls1764700000000 implements MigrationInterface {
  name = 'OperatorBillingControls1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE billing.ledger_entries
        DROP CONSTRAINT ledger_entries_kind_check,
        ADD CONSTRAINT ledger_entries_kind_check CHECK (kind IN ('OPENING', 'USAGE', 'TOP_UP', 'TRANSFER', 'INVOICE_PAYMENT', 'CREDIT_CEILING', 'ADJUSTMENT')),
        DROP CONSTRAINT ledger_entries_book_check,
        ADD CONSTRAINT ledger_entries_book_check CHECK (book IN ('BALANCE', 'USAGE', 'PAYMENTS', 'CREDIT_LINE', 'ADJUSTMENTS')),
        -- why an operator adjusted the credit: on every row of an ADJUSTMENT movement, on no other
        ADD COLUMN reason text CHECK (char_length(reason) <= 500),
        ADD CONSTRAINT ledger_entries_adjustment_reason CHECK ((kind = 'ADJUSTMENT') = (reason IS NOT NULL))`);
    await queryRunner.query(`
      ALTER TABLE billing.billing_profiles
        ADD COLUMN requested_plan text CHECK (requested_plan IN ('STARTER', 'STANDARD', 'ENTERPRISE')),
        ADD COLUMN plan_requested_at timestamptz,
        ADD CONSTRAINT billing_profiles_plan_request CHECK ((requested_plan IS NULL) = (plan_requested_at IS NULL))`);
    await queryRunner.query(`
      CREATE TABLE billing.payment_callbacks (
        -- the provider's event id: a replayed callback finds its row and changes nothing
        event_id text PRIMARY KEY CHECK (char_length(event_id) BETWEEN 1 AND 200),
        invoice_id uuid NOT NULL REFERENCES billing.invoices(id),
        amount_minor bigint NOT NULL,
        currency text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE billing.payment_callbacks`);
    await queryRunner.query(`
      ALTER TABLE billing.billing_profiles DROP CONSTRAINT billing_profiles_plan_request, DROP COLUMN plan_requested_at, DROP COLUMN requested_plan`);
    await queryRunner.query(`
      ALTER TABLE billing.ledger_entries
        DROP CONSTRAINT ledger_entries_adjustment_reason,
        DROP COLUMN reason,
        DROP CONSTRAINT ledger_entries_book_check,
        ADD CONSTRAINT ledger_entries_book_check CHECK (book IN ('BALANCE', 'USAGE', 'PAYMENTS', 'CREDIT_LINE')),
        DROP CONSTRAINT ledger_entries_kind_check,
        ADD CONSTRAINT ledger_entries_kind_check CHECK (kind IN ('OPENING', 'USAGE', 'TOP_UP', 'TRANSFER', 'INVOICE_PAYMENT', 'CREDIT_CEILING'))`);
  }
}
