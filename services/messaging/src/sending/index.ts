import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { registerQueueMetrics } from './metrics';
import { accountEntities, resolvers } from './resolvers';

/** Sending: single and bulk sends, batches, scheduling in the sending window, SMS encoding (SPEC M1, M2). */
export const sendingModule: SubgraphModule = { name: 'sending', typeDefs: readTypeDefs(__dirname, 'sending.graphql'), resolvers, entities: { Account: accountEntities }, permissions, metrics: registerQueueMetrics };
