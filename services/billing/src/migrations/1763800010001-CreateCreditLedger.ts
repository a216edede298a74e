import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC B1-B6, I6. Balances are kept by the ledger: every movement is a set of append-only rows
 * that sum to zero (double entry); the BALANCE book of an account sums to balances.units.
 */
export class CreateCreditLedger1763800010001 implements MigrationInterface {
  name = 'CreateCreditLedger1763800010001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE billing.balances
        ADD COLUMN mode text NOT NULL DEFAULT 'PREPAID' CHECK (mode IN ('PREPAID', 'POSTPAID')),
        -- units promised to reservations not yet captured or released
        ADD COLUMN held bigint NOT NULL DEFAULT 0 CHECK (held >= 0),
        -- postpaid: how much may be owed; the balance starts at this ceiling and invoice payments restore it
        ADD COLUMN credit_ceiling bigint NOT NULL DEFAULT 0 CHECK (credit_ceiling >= 0),
        ADD COLUMN low_balance_threshold bigint CHECK (low_balance_threshold >= 0),
        ADD COLUMN auto_top_up_threshold bigint CHECK (auto_top_up_threshold >= 0),
        ADD COLUMN auto_top_up_units bigint CHECK (auto_top_up_units > 0),
        ADD COLUMN auto_top_up_payment_method_id uuid,
        ADD CONSTRAINT balances_held_within_units CHECK (held <= units)`);

    await queryRunner.query(`
      CREATE TABLE billing.ledger_entries (
        id bigserial PRIMARY KEY,
        -- the rows of one movement sum to zero
        movement_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('OPENING', 'USAGE', 'TOP_UP', 'TRANSFER', 'INVOICE_PAYMENT', 'CREDIT_CEILING')),
        book text NOT NULL CHECK (book IN ('BALANCE', 'USAGE', 'PAYMENTS', 'CREDIT_LINE')),
        paying_account_id uuid NOT NULL,
        spending_account_id uuid,
        user_id uuid,
        -- message batch, top-up, transfer or invoice id
        reference text,
        units bigint NOT NULL CHECK (units <> 0),
        -- BALANCE rows: the paying account's balance after this row
        balance_after bigint,
        idempotency_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((book = 'BALANCE') = (balance_after IS NOT NULL)),
        UNIQUE (idempotency_key, book, paying_account_id)
      )`);
    await queryRunner.query(`CREATE INDEX ledger_entries_paying ON billing.ledger_entries (paying_account_id, id)`);
    await queryRunner.query(`CREATE INDEX ledger_entries_spending ON billing.ledger_entries (spending_account_id, created_at)`);
    await queryRunner.query(`CREATE INDEX ledger_entries_movement ON billing.ledger_entries (movement_id)`);
    await queryRunner.query(`
      CREATE FUNCTION billing.refuse_ledger_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'billing.ledger_entries is append-only' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON billing.ledger_entries
        FOR EACH ROW EXECUTE FUNCTION billing.refuse_ledger_change()`);
    await queryRunner.query(`
      CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON billing.ledger_entries
        FOR EACH STATEMENT EXECUTE FUNCTION billing.refuse_ledger_change()`);
    // Balances that existed before the ledger get their opening movement.
    await queryRunner.query(`
      WITH opened AS (SELECT account_id, units, gen_random_uuid() AS movement_id FROM billing.balances WHERE units <> 0)
      INSERT INTO billing.ledger_entries (movement_id, kind, book, paying_account_id, units, balance_after, idempotency_key)
      SELECT movement_id, 'OPENING', 'BALANCE', account_id, units, units, 'opening:' || account_id FROM opened
      UNION ALL
      SELECT movement_id, 'OPENING', 'PAYMENTS', account_id, -units, NULL, 'opening:' || account_id FROM opened`);

    await queryRunner.query(`
      CREATE TABLE billing.account_limits (
        -- caps the spending of the account's whole subtree (SPEC B3)
        account_id uuid PRIMARY KEY,
        credit_limit bigint NOT NULL CHECK (credit_limit >= 0),
        spent bigint NOT NULL DEFAULT 0 CHECK (spent >= 0),
        held bigint NOT NULL DEFAULT 0 CHECK (held >= 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (spent + held <= credit_limit)
      )`);
    await queryRunner.query(`
      CREATE TABLE billing.user_limits (
        -- a membership's limit (SPEC I6): the user spending in this account or below it
        account_id uuid NOT NULL,
        user_id uuid NOT NULL,
        credit_limit bigint NOT NULL CHECK (credit_limit >= 0),
        monthly_renewal boolean NOT NULL DEFAULT false,
        spent bigint NOT NULL DEFAULT 0 CHECK (spent >= 0),
        held bigint NOT NULL DEFAULT 0 CHECK (held >= 0),
        -- first day of the calendar month (account timezone) that spent counts
        period_start date NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, user_id),
        CHECK (spent + held <= credit_limit)
      )`);
    await queryRunner.query(`CREATE INDEX user_limits_user ON billing.user_limits (user_id)`);
    await queryRunner.query(`
      CREATE TABLE billing.user_limit_renewals (
        account_id uuid NOT NULL,
        user_id uuid NOT NULL,
        period_start date NOT NULL,
        spent_before bigint NOT NULL,
        renewed_at timestamptz NOT NULL DEFAULT now(),
        -- a period renews once, however many processes try
        PRIMARY KEY (account_id, user_id, period_start)
      )`);

    await queryRunner.query(`
      CREATE TABLE billing.reservations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        idempotency_key text NOT NULL UNIQUE,
        account_id uuid NOT NULL,
        user_id uuid,
        paying_account_id uuid NOT NULL,
        -- the limit rows whose held counter carries this reservation
        limited_account_ids uuid[] NOT NULL,
        user_limit_account_ids uuid[] NOT NULL,
        units bigint NOT NULL CHECK (units > 0),
        captured_units bigint NOT NULL DEFAULT 0 CHECK (captured_units >= 0 AND captured_units <= units),
        reference text NOT NULL,
        status text NOT NULL DEFAULT 'HELD' CHECK (status IN ('HELD', 'CAPTURED', 'RELEASED', 'EXPIRED')),
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        settled_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX reservations_held_expiry ON billing.reservations (expires_at) WHERE status = 'HELD'`);
    await queryRunner.query(`CREATE INDEX reservations_paying ON billing.reservations (paying_account_id) WHERE status = 'HELD'`);

    await queryRunner.query(`
      CREATE TABLE billing.transfers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('BALANCE', 'CREDIT')),
        from_account_id uuid NOT NULL,
        to_account_id uuid NOT NULL,
        units bigint NOT NULL CHECK (units > 0),
        user_id uuid,
        idempotency_key text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (from_account_id <> to_account_id)
      )`);
    await queryRunner.query(`CREATE INDEX transfers_from ON billing.transfers (from_account_id, created_at)`);
    await queryRunner.query(`CREATE INDEX transfers_to ON billing.transfers (to_account_id, created_at)`);

    await queryRunner.query(`
      CREATE TABLE billing.payment_methods (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL,
        -- the payment provider's token; card numbers never reach the platform
        provider_token text NOT NULL,
        brand text NOT NULL,
        last4 char(4) NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
        is_default boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        removed_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX payment_methods_account ON billing.payment_methods (account_id) WHERE removed_at IS NULL`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX payment_methods_one_default ON billing.payment_methods (account_id) WHERE is_default AND removed_at IS NULL`,
    );

    await queryRunner.query(`
      CREATE TABLE billing.top_ups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL,
        units bigint NOT NULL CHECK (units > 0),
        trigger text NOT NULL CHECK (trigger IN ('MANUAL', 'AUTOMATIC')),
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SUCCEEDED', 'DECLINED')),
        payment_method_id uuid NOT NULL REFERENCES billing.payment_methods(id),
        provider_reference text,
        decline_reason text,
        user_id uuid,
        idempotency_key text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX top_ups_account ON billing.top_ups (account_id, created_at)`);
    await queryRunner.query(`CREATE UNIQUE INDEX top_ups_one_pending_automatic ON billing.top_ups (account_id) WHERE trigger = 'AUTOMATIC' AND status = 'PENDING'`);

    await queryRunner.query(`
      CREATE TABLE billing.events (
        -- transactional outbox (low balance, top-ups); a dispatcher delivers them later
        id bigserial PRIMARY KEY,
        type text NOT NULL,
        account_id uuid NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        dispatched_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX events_undispatched ON billing.events (id) WHERE dispatched_at IS NULL`);

    await queryRunner.query(`
      CREATE TABLE billing.billing_profiles (
        account_id uuid PRIMARY KEY,
        plan text NOT NULL DEFAULT 'STANDARD' CHECK (plan IN ('STARTER', 'STANDARD', 'ENTERPRISE')),
        billing_email text CHECK (char_length(billing_email) <= 254),
        address jsonb NOT NULL DEFAULT '{}'::jsonb,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await queryRunner.query(`
      CREATE TABLE billing.invoices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- the postpaid paying account
        account_id uuid NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL,
        timezone text NOT NULL,
        status text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'ISSUED', 'PAID')),
        currency text NOT NULL,
        unit_price_minor integer NOT NULL,
        tax_rate_basis_points integer NOT NULL,
        units bigint NOT NULL,
        subtotal_minor bigint NOT NULL,
        tax_minor bigint NOT NULL,
        total_minor bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        issued_at timestamptz,
        paid_at timestamptz,
        -- one invoice per account and period: issuing twice is impossible
        UNIQUE (account_id, period_start)
      )`);
    await queryRunner.query(`
      CREATE TABLE billing.invoice_lines (
        invoice_id uuid NOT NULL REFERENCES billing.invoices(id) ON DELETE CASCADE,
        spending_account_id uuid NOT NULL,
        account_name text NOT NULL,
        depth smallint NOT NULL,
        units bigint NOT NULL,
        amount_minor bigint NOT NULL,
        PRIMARY KEY (invoice_id, spending_account_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'invoice_lines',
      'invoices',
      'billing_profiles',
      'events',
      'top_ups',
      'payment_methods',
      'transfers',
      'reservations',
      'user_limit_renewals',
      'user_limits',
      'account_limits',
      'ledger_entries',
    ]) {
      await queryRunner.query(`DROP TABLE billing.${table}`);
    }
    await queryRunner.query(`DROP FUNCTION billing.refuse_ledger_change()`);
    await queryRunner.query(`
      ALTER TABLE billing.balances DROP CONSTRAINT balances_held_within_units,
        DROP COLUMN mode, DROP COLUMN held, DROP COLUMN credit_ceiling, DROP COLUMN low_balance_threshold,
        DROP COLUMN auto_top_up_threshold, DROP COLUMN auto_top_up_units, DROP COLUMN auto_top_up_payment_method_id`);
  }
}
