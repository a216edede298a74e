import type { IdentityContext } from '../context';
import type { MembershipRow } from '../repositories/identity-repository';

export const Membership = {
  account: (membership: MembershipRow) => ({ __typename: 'Account', id: membership.account_id }),
  user: (membership: MembershipRow, _args: unknown, ctx: IdentityContext) => ctx.loaders.userById.load(membership.user_id),
  createdAt: (membership: MembershipRow) => membership.created_at.toISOString(),
};
