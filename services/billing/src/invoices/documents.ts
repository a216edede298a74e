import PDFDocument from 'pdfkit';
import type { InvoiceLineRow, InvoiceRow } from './store';

const money = (minor: number | string, currency: string) => `${(Number(minor) / 100).toFixed(2)} ${currency}`;

const csvField = (value: string | number): string => {
  let text = String(value);
  // Spreadsheet formula injection: a cell must not start with = + - @ when it is text.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** One row per line, then subtotal, tax and total rows; amounts in major units. */
export function invoiceCsv(invoice: InvoiceRow, lines: InvoiceLineRow[]): string {
  const rows: (string | number)[][] = [['account_id', 'account_name', 'depth', 'units', 'amount']];
  for (const line of lines) {
    rows.push([line.spending_account_id, line.account_name, line.depth, Number(line.units), (Number(line.amount_minor) / 100).toFixed(2)]);
  }
  rows.push(['', 'Subtotal', '', Number(invoice.units), (Number(invoice.subtotal_minor) / 100).toFixed(2)]);
  rows.push(['', `Tax ${(invoice.tax_rate_basis_points / 100).toFixed(2)}%`, '', '', (Number(invoice.tax_minor) / 100).toFixed(2)]);
  rows.push(['', `Total ${invoice.currency}`, '', '', (Number(invoice.total_minor) / 100).toFixed(2)]);
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** A one-table PDF; `compress: false` keeps its text searchable by simple tools. */
export function invoicePdf(invoice: InvoiceRow, lines: InvoiceLineRow[], accountName: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, compress: false, info: { Title: `Invoice ${invoice.period_start.slice(0, 7)}` } });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.fontSize(18).text(`Invoice ${invoice.period_start.slice(0, 7)} - ${accountName}`);
    doc.fontSize(10).text(`Invoice ${invoice.id} - status ${invoice.status} - period ${invoice.period_start} to ${invoice.period_end} (${invoice.timezone})`);
    doc.moveDown();
    for (const line of lines) {
      doc.text(`${'  '.repeat(line.depth)}${line.account_name}: ${line.units} units, ${money(line.amount_minor, invoice.currency)}`);
    }
    doc.moveDown();
    doc.text(`Subtotal: ${money(invoice.subtotal_minor, invoice.currency)}`);
    doc.text(`Tax ${(invoice.tax_rate_basis_points / 100).toFixed(2)}%: ${money(invoice.tax_minor, invoice.currency)}`);
    doc.text(`Total: ${money(invoice.total_minor, invoice.currency)}`);
    doc.end();
  });
}
