import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

export { bootstrapOperator } from './service';

/** The operator realm: operators, their sign-in and setup links (SPEC O1). */
export const operatorsModule: SubgraphModule = { name: 'operators', typeDefs: readTypeDefs(__dirname, 'operators.graphql'), resolvers, permissions };
