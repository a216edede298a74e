import type http from 'node:http';
import type { DataSource } from 'typeorm';
import { AccessControl, loadAccountNames, signLinkToken, verifyLinkToken, type LinkPurpose, type Principal } from '@platform/authz';
import type { PlatformConfig } from '@platform/config';
import type { Sql } from '@platform/db';
import { AppError, errors } from '@platform/errors';
import { sendRefusal } from '@platform/server';
import type { InvoiceFormat } from '../__generated__/resolvers-types';
import { invoiceCsv, invoicePdf } from './documents';
import { findInvoice, linesOfInvoices, type InvoiceLineRow, type InvoiceRow } from './store';

/** Relative to the gateway, which streams it from billing like /exports/ from messaging. */
export const INVOICE_DOWNLOAD_PATH = '/downloads/invoice';
const INVOICE_DOWNLOAD_LINK: LinkPurpose = { key: 'invoice-download/v1', noun: 'download', ttlSeconds: 300 };

export interface InvoiceFile {
  filename: string;
  contentType: string;
  content: Buffer;
}

const invoiceFilename = (row: InvoiceRow, format: InvoiceFormat) => `invoice-${row.period_start.slice(0, 7)}-${row.id.slice(0, 8)}.${format === 'CSV' ? 'csv' : 'pdf'}`;

/** The invoice as a CSV or PDF file. */
export async function invoiceFile(db: Sql, row: InvoiceRow, lines: InvoiceLineRow[], format: InvoiceFormat): Promise<InvoiceFile> {
  const filename = invoiceFilename(row, format);
  if (format === 'CSV') return { filename, contentType: 'text/csv; charset=utf-8', content: Buffer.from(invoiceCsv(row, lines), 'utf8') };
  const names = await loadAccountNames(db, [row.account_id]);
  return { filename, contentType: 'application/pdf', content: await invoicePdf(row, lines, names.get(row.account_id) ?? row.account_id) };
}

/** A link to download the invoice (its reader checked by the caller; checked again at download). */
export function invoiceDownloadLink(row: InvoiceRow, format: InvoiceFormat, principal: Principal, secret: string) {
  const { token, expiresAt } = signLinkToken(INVOICE_DOWNLOAD_LINK, { invoiceId: row.id, format }, principal, secret);
  return { url: `${INVOICE_DOWNLOAD_PATH}?token=${token}`, filename: invoiceFilename(row, format), expiresAt };
}

/** Who may read an invoice: billing on its account (invisible and unknown answer alike). */
export async function readableInvoice(access: AccessControl, db: Sql, id: string): Promise<InvoiceRow | null> {
  const row = await findInvoice(db, id);
  if (!row || !(await access.canView(row.account_id))) return null;
  await access.require(row.account_id, 'billing');
  return row;
}

/** GET /downloads/invoice?token=… (proxied by the gateway): the file, the reader's permission checked again. */
export function invoiceDownloadRoute(dataSource: DataSource, config: PlatformConfig) {
  return async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    if (request.method !== 'GET') return sendRefusal(response, new AppError('BAD_USER_INPUT', 'Download with GET'));
    let file: InvoiceFile;
    try {
      const token = new URL(request.url ?? '/', 'http://internal').searchParams.get('token');
      const payload = verifyLinkToken<{ invoiceId: string; format: InvoiceFormat }>(INVOICE_DOWNLOAD_LINK, token, config.internalSigningSecret);
      const row = await readableInvoice(new AccessControl({ ...payload.principal }, dataSource), dataSource, payload.invoiceId);
      if (!row) throw errors.notFound('Invoice');
      const [lines] = await linesOfInvoices(dataSource, [row.id]);
      file = await invoiceFile(dataSource, row, lines, payload.format);
    } catch (error) {
      if (error instanceof AppError) return sendRefusal(response, error);
      throw error;
    }
    response.writeHead(200, {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename="${file.filename}"`,
      'content-length': file.content.length,
      'cache-control': 'private, no-store',
    });
    response.end(file.content);
  };
}
