import { groupBy, keysetSql, queryRows, type PageRequest, type Sql } from '@platform/db';
import type { AutomationAction, AutomationOutcome } from '../__generated__/resolvers-types';

export interface RuleRow {
  id: string;
  accountId: string;
  name: string;
  keyword: string | null;
  action: AutomationAction;
  replyBody: string | null;
  forwardEmail: string | null;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface FiringRow {
  inboundMessageId: string;
  action: AutomationAction;
  outcome: AutomationOutcome;
  errorCode: string | null;
  messageId: string | null;
  firedAt: Date;
}

/** A rule's validated values as written. */
export interface RuleValues {
  name: string;
  keyword: string | null;
  action: AutomationAction;
  replyBody: string | null;
  forwardEmail: string | null;
  enabled: boolean;
}

const COLUMNS = `id, account_id AS "accountId", name, keyword, action, reply_body AS "replyBody", forward_email AS "forwardEmail", enabled,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** The account's rules in creation order; only the enabled ones when `enabledOnly`. */
export function rulesOfAccount(db: Sql, accountId: string, enabledOnly: boolean): Promise<RuleRow[]> {
  return queryRows<RuleRow>(db, `SELECT ${COLUMNS} FROM messaging.automation_rules WHERE account_id = $1 AND (enabled OR NOT $2) ORDER BY created_at, id`, [accountId, enabledOnly]);
}

export async function findRule(db: Sql, id: string): Promise<RuleRow | null> {
  const [rule] = await queryRows<RuleRow>(db, `SELECT ${COLUMNS} FROM messaging.automation_rules WHERE id = $1`, [id]);
  return rule ?? null;
}

export async function insertRule(tx: Sql, accountId: string, rule: RuleValues, createdBy: string | null): Promise<RuleRow> {
  const [row] = await queryRows<RuleRow>(
    tx,
    `INSERT INTO messaging.automation_rules (account_id, name, keyword, action, reply_body, forward_email, enabled, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
    [accountId, rule.name, rule.keyword, rule.action, rule.replyBody, rule.forwardEmail, rule.enabled, createdBy],
  );
  return row;
}

export async function updateRule(tx: Sql, id: string, rule: RuleValues): Promise<RuleRow> {
  const [row] = await queryRows<RuleRow>(
    tx,
    `UPDATE messaging.automation_rules SET name = $2, keyword = $3, action = $4, reply_body = $5, forward_email = $6, enabled = $7, updated_at = now()
      WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, rule.name, rule.keyword, rule.action, rule.replyBody, rule.forwardEmail, rule.enabled],
  );
  return row;
}

export async function deleteRule(tx: Sql, id: string): Promise<void> {
  await tx.query(`DELETE FROM messaging.automation_rules WHERE id = $1`, [id]);
}

/** The same page of each rule's firings, newest first (a keyset page on (fired_at, inbound_message_id)), in one statement. */
export async function firingPages(db: Sql, ruleIds: readonly string[], page: PageRequest<readonly [string, string]>): Promise<(FiringRow & { firedAtKey: string })[][]> {
  const keyset = keysetSql(page, { columns: ['f.fired_at', 'f.inbound_message_id'], types: ['timestamptz', 'uuid'], order: 'DESC', firstParameter: 2 });
  const rows = await queryRows<FiringRow & { firedAtKey: string; ruleId: string }>(
    db,
    `SELECT rule.id AS "ruleId", f.inbound_message_id AS "inboundMessageId", f.action, f.outcome, f.error_code AS "errorCode", f.message_id AS "messageId",
            f.fired_at AS "firedAt", f.fired_at::text AS "firedAtKey"
       FROM unnest($1::uuid[]) WITH ORDINALITY AS rule(id, position)
       CROSS JOIN LATERAL (
         SELECT * FROM messaging.automation_firings f WHERE f.rule_id = rule.id AND ${keyset.where} ORDER BY ${keyset.orderBy} LIMIT ${keyset.limit}) f
      ORDER BY rule.position, ${keyset.orderBy}`,
    [ruleIds, ...keyset.parameters],
  );
  return groupBy(ruleIds, rows, (row) => row.ruleId);
}

/** A page of the account's rules in creation order. */
export function rulesPage(db: Sql, accountId: string, page: PageRequest<readonly [string, string]>): Promise<(RuleRow & { createdAtKey: string })[]> {
  const keyset = keysetSql(page, { columns: ['created_at', 'id'], types: ['timestamptz', 'uuid'], order: 'ASC', firstParameter: 2 });
  return queryRows(
    db,
    `SELECT ${COLUMNS}, created_at::text AS "createdAtKey" FROM messaging.automation_rules WHERE account_id = $1 AND ${keyset.where} ORDER BY ${keyset.orderBy} LIMIT ${keyset.limit}`,
    [accountId, ...keyset.parameters],
  );
}

/** Under a lock on (rule, number) until the transaction ends: whether the rule replied to the number within `interval`. */
export async function repliedRecently(tx: Sql, ruleId: string, phone: string, interval: string): Promise<boolean> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`automation:${ruleId}:${phone}`]);
  const [recent] = await queryRows<{ n: number }>(
    tx,
    `SELECT 1 AS n FROM messaging.automation_firings
      WHERE rule_id = $1 AND phone_number = $2 AND outcome IN ('PENDING', 'DONE') AND fired_at > now() - $3::interval LIMIT 1`,
    [ruleId, phone, interval],
  );
  return Boolean(recent);
}

/** Records the rule's firing for the inbound message; false when it fired for it already. */
export async function claimFiring(tx: Sql, firing: { ruleId: string; inboundId: string; accountId: string; phone: string; action: AutomationAction; outcome: AutomationOutcome }): Promise<boolean> {
  const claimed = await queryRows<{ rule_id: string }>(
    tx,
    `INSERT INTO messaging.automation_firings (rule_id, inbound_message_id, account_id, phone_number, action, outcome) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT DO NOTHING RETURNING rule_id`,
    [firing.ruleId, firing.inboundId, firing.accountId, firing.phone, firing.action, firing.outcome],
  );
  return claimed.length > 0;
}

export async function completeFiring(db: Sql, ruleId: string, inboundId: string, result: { outcome: 'DONE'; messageId: string | null } | { outcome: 'FAILED'; errorCode: string }): Promise<void> {
  if (result.outcome === 'DONE') {
    await db.query(`UPDATE messaging.automation_firings SET outcome = 'DONE', message_id = $3 WHERE rule_id = $1 AND inbound_message_id = $2`, [ruleId, inboundId, result.messageId]);
  } else {
    await db.query(`UPDATE messaging.automation_firings SET outcome = 'FAILED', error_code = $3 WHERE rule_id = $1 AND inbound_message_id = $2`, [ruleId, inboundId, result.errorCode]);
  }
}
