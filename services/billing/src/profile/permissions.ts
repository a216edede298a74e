import { allow, isOperatorWith } from '@platform/authz';
import { byArgAccount, onParent } from '../account-rules';

export const permissions = {
  Mutation: {
    updateBillingProfile: byArgAccount,
    requestPlanChange: byArgAccount,
    setCustomerPlan: isOperatorWith('finance'),
    addPaymentMethod: byArgAccount,
    setDefaultPaymentMethod: byArgAccount,
    removePaymentMethod: byArgAccount,
  },
  Account: { billingProfile: onParent, paymentMethods: onParent },
  BillingProfile: allow,
  BillingAddress: allow,
  PaymentMethod: allow,
};
