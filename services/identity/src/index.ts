import { defineSubgraph } from '@platform/server';
import { activityLogModule } from './activity-log';
import { apiKeysModule } from './api-keys';
import { createIdentityContext } from './context';
import { createIdentityDataSource, SCHEMA } from './data-source';
import { invitationsModule } from './invitations';
import { membershipsModule } from './memberships';
import { operatorsModule } from './operators';
import { seedIdentityDemo } from './seed';
import { sessionsModule } from './sessions';
import { LoginThrottles } from './sessions/login-throttle';
import { ssoModule } from './sso';

export { hashPassword, hashPasswordLegacyScrypt, verifyPassword } from './sessions/passwords';
export { bootstrapOperator } from './operators';

const loginThrottles = new LoginThrottles();

export const service = defineSubgraph({
  name: 'identity',
  databaseSchema: SCHEMA,
  modules: [sessionsModule, membershipsModule, invitationsModule, ssoModule, apiKeysModule, activityLogModule, operatorsModule],
  createDataSource: createIdentityDataSource,
  createContext: (base, dataSource) => createIdentityContext(base, dataSource, loginThrottles.for(dataSource, base.config, base.logger)),
  seed: seedIdentityDemo,
  stop: (dataSource) => loginThrottles.release(dataSource),
});
