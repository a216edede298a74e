import { allow, isAuthenticated } from '@platform/authz';

/** The service requires `contacts` on the job's account (NOT_FOUND when it is not visible). */
export const contactImportPermissions = {
  Query: { importJob: isAuthenticated },
  Mutation: { startContactImport: isAuthenticated },
  ContactImportJob: allow,
  ContactImportUpload: allow,
};
