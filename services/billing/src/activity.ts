import type { DataSource } from 'typeorm';
import type { AuditScope } from '@platform/audit';
import type { AccessControl, AccountChain } from '@platform/authz';
import { SCHEMA } from './data-source';

/**
 * Where billing's activity-log entries (SPEC I9) go: `mutate(auditScope(...), action, ...)`, with
 * `action` the public mutation's field name and `chain` the target account's (from
 * `access.require`). before/after hold limits, modes and billing details, never provider tokens nor
 * card digits. A call that changed nothing (an idempotent replay, an already enabled balance,
 * removing an absent limit) reports `unchanged` and writes no entry.
 *
 * reserveCredit / captureCredit / releaseCredit are not logged: they are @inaccessible SERVICE
 * calls on the send path, and the append-only ledger (SPEC B2) records each of them.
 */
export function auditScope(dataSource: DataSource, access: AccessControl, chain: AccountChain): AuditScope {
  return { dataSource, schema: SCHEMA, principal: access.principal, chain };
}
