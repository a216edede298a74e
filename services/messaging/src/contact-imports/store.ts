import { queryOne, type Sql } from '@platform/db';
import type { ContactImportStatus, RejectedContactRow } from '../__generated__/resolvers-types';
import type { ImportProgress } from '../contacts/service';

export interface ContactImportRow {
  id: string;
  accountId: string;
  groupId: string | null;
  defaultCountry: string;
  status: ContactImportStatus;
  processed: number;
  imported: number;
  merged: number;
  rejected: number;
  rejections: RejectedContactRow[];
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

const COLUMNS = `id, account_id AS "accountId", group_id AS "groupId", default_country AS "defaultCountry", status, processed, imported, merged, rejected,
  rejections, error_code AS "errorCode", error_message AS "errorMessage", created_at AS "createdAt", finished_at AS "finishedAt"`;

export async function insertContactImport(tx: Sql, job: { accountId: string; groupId: string | null; defaultCountry: string }): Promise<ContactImportRow> {
  return (await queryOne<ContactImportRow>(
    tx,
    `INSERT INTO messaging.contact_imports (account_id, group_id, default_country) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
    [job.accountId, job.groupId, job.defaultCountry],
  ))!;
}

export function findContactImport(db: Sql, id: string): Promise<ContactImportRow | null> {
  return queryOne<ContactImportRow>(db, `SELECT ${COLUMNS} FROM messaging.contact_imports WHERE id = $1`, [id]);
}

/** The job's upload starts: only once, from WAITING. */
export function claimContactImport(db: Sql, id: string): Promise<ContactImportRow | null> {
  return queryOne<ContactImportRow>(
    db,
    `UPDATE messaging.contact_imports SET status = 'PROCESSING', started_at = now() WHERE id = $1 AND status = 'WAITING' RETURNING ${COLUMNS}`,
    [id],
  );
}

/** Progress, written outside the import's transaction so that importJob shows it while the import runs. */
export async function recordImportProgress(db: Sql, id: string, progress: ImportProgress): Promise<void> {
  await db.query(`UPDATE messaging.contact_imports SET processed = $2, imported = $3, merged = $4, rejected = $5 WHERE id = $1 AND status = 'PROCESSING'`, [
    id,
    progress.processed,
    progress.imported,
    progress.merged,
    progress.rejected,
  ]);
}

export function finishContactImport(db: Sql, id: string, outcome: { progress: ImportProgress; rejections: RejectedContactRow[] } | { errorCode: string; errorMessage: string }): Promise<ContactImportRow | null> {
  if ('errorCode' in outcome) {
    return queryOne<ContactImportRow>(
      db,
      `UPDATE messaging.contact_imports SET status = 'FAILED', imported = 0, merged = 0, error_code = $2, error_message = $3, finished_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, outcome.errorCode, outcome.errorMessage],
    );
  }
  const { progress } = outcome;
  return queryOne<ContactImportRow>(
    db,
    `UPDATE messaging.contact_imports SET status = 'COMPLETED', processed = $2, imported = $3, merged = $4, rejected = $5, rejections = $6, finished_at = now()
      WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, progress.processed, progress.imported, progress.merged, progress.rejected, JSON.stringify(outcome.rejections)],
  );
}
