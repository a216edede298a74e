import { allow, isAuthenticated } from '@platform/authz';

/** The root field needs a credential; the service requires reports on the batch's account (NOT_FOUND when invisible). */
export const permissions = {
  Query: { batchClicks: isAuthenticated },
  TrackedLink: allow,
  BatchClicks: allow,
};
