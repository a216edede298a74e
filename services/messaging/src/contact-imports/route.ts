import type http from 'node:http';
import type { DataSource } from 'typeorm';
import { mutate } from '@platform/audit';
import { AccessControl, verifyLinkToken } from '@platform/authz';
import type { PlatformConfig } from '@platform/config';
import { AppError, errors } from '@platform/errors';
import { sendJson, sendRefusal, type Logger } from '@platform/server';
import { SCHEMA } from '../data-source';
import { importTarget, runImport, type ImportTarget } from '../contacts/service';
import { CONTACT_IMPORT_LINK, KEPT_REJECTIONS, MAX_STREAMED_IMPORT_ROWS } from './service';
import { claimContactImport, findContactImport, finishContactImport, recordImportProgress, type ContactImportRow } from './store';

/** The job behind an upload link, claimed for this upload, and where it imports (the permission checked again now). */
async function claimUpload(dataSource: DataSource, config: PlatformConfig, request: http.IncomingMessage) {
  const token = new URL(request.url ?? '/', 'http://internal').searchParams.get('token');
  const payload = verifyLinkToken<{ importId: string }>(CONTACT_IMPORT_LINK, token, config.internalSigningSecret);
  const access = new AccessControl({ ...payload.principal }, dataSource);
  const waiting = await findContactImport(dataSource, payload.importId);
  if (!waiting) throw errors.notFound('Contact import');
  const target = await importTarget({ access }, waiting.accountId, waiting.groupId);
  const job = await claimContactImport(dataSource, waiting.id);
  if (!job) throw new AppError('INVALID_STATE', 'This import has already been uploaded; start a new one');
  return { access, target, job };
}

/**
 * POST /imports/contacts?token=… (proxied by the gateway, streamed): the CSV of a started import.
 * Rows are parsed as they arrive and written in batches in one transaction (a failed import writes
 * no contact), so memory stays bounded whatever the file's size; progress is recorded after each
 * batch for importJob. The answer is the finished job.
 */
export function contactImportRoute(dataSource: DataSource, config: PlatformConfig, logger: Logger) {
  return async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    if (request.method !== 'POST') return sendRefusal(response, new AppError('BAD_USER_INPUT', 'Upload the CSV with POST'));
    let claimed: { access: AccessControl; target: ImportTarget; job: ContactImportRow };
    try {
      claimed = await claimUpload(dataSource, config, request);
    } catch (error) {
      request.resume();
      if (error instanceof AppError) return sendRefusal(response, error);
      throw error;
    }
    const { access, target, job } = claimed;
    let finished: ContactImportRow | null;
    try {
      const importer = await mutate({ dataSource, schema: SCHEMA, principal: access.principal, chain: target.chain }, 'importContacts', async (tx) => {
        const run = await runImport({ access }, tx, target, request, job.defaultCountry, {
          maxRows: MAX_STREAMED_IMPORT_ROWS,
          keptRejections: KEPT_REJECTIONS,
          onBatch: (progress) => recordImportProgress(dataSource, job.id, progress),
        });
        return { result: run, targetType: 'ContactImport', targetId: job.id, after: run.progress };
      });
      finished = await finishContactImport(dataSource, job.id, { progress: importer.progress, rejections: importer.report.rejected });
    } catch (error) {
      request.resume();
      const refusal = error instanceof AppError ? error : new AppError('INTERNAL_SERVER_ERROR', 'The import failed; nothing was imported');
      if (!(error instanceof AppError)) logger.error({ err: error, importId: job.id }, 'contact import failed');
      await finishContactImport(dataSource, job.id, { errorCode: refusal.code, errorMessage: refusal.message });
      return sendRefusal(response, refusal);
    }
    sendJson(response, 200, { job: finished });
  };
}
