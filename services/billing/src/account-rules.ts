import { canOnAccount, canOnParentAccount } from '@platform/authz';

// Every billing field needs `billing` on the account (or an ancestor); invisible accounts answer
// NOT_FOUND. Rules that depend on stored data (the parent of a limited account, the other side of a
// transfer, an invoice's account) are checked again by the services. Types reached only through a
// guarded Account field, a guarded mutation or an access-checked invoice are `allow`.
export const onParent = canOnParentAccount('billing');
export const byArgAccount = canOnAccount('billing', (_parent, args) => args.accountId);
