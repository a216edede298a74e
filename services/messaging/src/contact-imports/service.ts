import { mutate } from '@platform/audit';
import { signLinkToken, type LinkPurpose } from '@platform/authz';
import { assertId, errors } from '@platform/errors';
import type { MessagingContext } from '../context';
import { auditScope } from '../access/access';
import { importCountry, importTarget, ownGroup } from '../contacts/service';
import { findContactImport, insertContactImport, type ContactImportRow } from './store';

export const CONTACT_IMPORT_PATH = '/imports/contacts';
/** An upload link is a bearer credential, used once: an hour to start sending the file. */
export const CONTACT_IMPORT_LINK: LinkPurpose = { key: 'contact-import-upload/v1', noun: 'upload', ttlSeconds: 3600 };
export const MAX_STREAMED_IMPORT_ROWS = 1_000_000;
export const KEPT_REJECTIONS = 1000;

export const ContactImportService = {
  /** A job waiting for its CSV, and the signed link to upload it to (through the gateway). */
  async start(ctx: MessagingContext, accountId: string, groupId: string | null, defaultCountry: string | null) {
    const target = await importTarget(ctx, assertId(accountId, 'accountId'), groupId);
    const countryCode = importCountry(ctx, defaultCountry);
    const job = await mutate(auditScope(ctx, target.chain), 'startContactImport', async (tx) => {
      if (target.groupId) await ownGroup(ctx, tx, target.chain, target.groupId);
      const inserted = await insertContactImport(tx, { accountId: target.chain.id, groupId: target.groupId, defaultCountry: countryCode });
      return { result: inserted, targetType: 'ContactImport', targetId: inserted.id, after: { groupId: target.groupId, defaultCountry: countryCode } };
    });
    const { token, expiresAt } = signLinkToken(CONTACT_IMPORT_LINK, { importId: job.id }, ctx.access.principal, ctx.config.internalSigningSecret);
    return { job, uploadUrl: `${CONTACT_IMPORT_PATH}?token=${token}`, expiresAt };
  },

  /** A job of an account the caller holds `contacts` on; any other answers like an unknown one. */
  async find(ctx: MessagingContext, id: string): Promise<ContactImportRow> {
    const job = await findContactImport(ctx.dataSource, assertId(id));
    if (!job || !(await ctx.access.can(job.accountId, 'contacts'))) throw errors.notFound('Contact import');
    return job;
  },
};
