import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';
import { inboundEmailRoute } from './route';
import { INBOUND_EMAIL_PATH } from './service';

export { INBOUND_EMAIL_PATH, SECRET_HEADER as EMAIL_TO_SMS_SECRET_HEADER } from './service';

/** Email to SMS: registered sender addresses, the ingestion secret and `POST /inbound/email` (SPEC M9). */
export const emailToSmsModule: SubgraphModule = {
  name: 'email-to-sms',
  typeDefs: readTypeDefs(__dirname, 'email-to-sms.graphql'),
  resolvers,
  permissions,
  routes: ({ dataSource, config, logger }) => ({ [INBOUND_EMAIL_PATH]: inboundEmailRoute(dataSource, config, logger) }),
};
