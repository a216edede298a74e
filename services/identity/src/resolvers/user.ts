import type { IdentityContext } from '../context';
import type { UserRow } from '../repositories/identity-repository';

export const User = {
  __resolveReference: (reference: { id: string }, ctx: IdentityContext) => ctx.loaders.userById.load(reference.id),
  createdAt: (user: UserRow) => user.created_at.toISOString(),
};
