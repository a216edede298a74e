import { signLinkToken, verifyLinkToken, type LinkPayload, type LinkPurpose, type Principal } from '@platform/authz';
import type { UsageGroupBy } from '../__generated__/resolvers-types';

export const USAGE_EXPORT_PATH = '/exports/usage.csv';
/** An export link is a bearer credential: it lives long enough to start the download, no longer. */
export const USAGE_EXPORT_TTL_SECONDS = 300;

export interface UsageExportRequest {
  accountId: string;
  from: string;
  to: string;
  groupBy: UsageGroupBy[];
  includeDescendants: boolean;
}

const USAGE_EXPORT_LINK: LinkPurpose = { key: 'usage-export-token/v1', noun: 'export', ttlSeconds: USAGE_EXPORT_TTL_SECONDS };

export function signExportToken(request: UsageExportRequest, principal: Principal, secret: string, nowMs = Date.now()): { token: string; expiresAt: Date } {
  return signLinkToken(USAGE_EXPORT_LINK, request, principal, secret, nowMs);
}

export function verifyExportToken(token: string | null, secret: string, nowMs = Date.now()): LinkPayload<UsageExportRequest> {
  return verifyLinkToken<UsageExportRequest>(USAGE_EXPORT_LINK, token, secret, nowMs);
}
