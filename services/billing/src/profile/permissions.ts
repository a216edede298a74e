import { allow } from '@platform/authz';
import { byArgAccount, onParent } from '../account-rules';

export const permissions = {
  Mutation: { updateBillingProfile: byArgAccount, addPaymentMethod: byArgAccount, setDefaultPaymentMethod: byArgAccount, removePaymentMethod: byArgAccount },
  Account: { billingProfile: onParent, paymentMethods: onParent },
  BillingProfile: allow,
  BillingAddress: allow,
  PaymentMethod: allow,
};
