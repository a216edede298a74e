import fs from 'node:fs';
import { generateResolverTypes, resolverTypesTargets } from '../resolver-types';

describe('generated resolver types (issue 13: types from the SDL)', () => {
  it.each(resolverTypesTargets().map((target) => [target.subgraph.name, target] as const))(
    'the committed resolvers-types.ts of %s equals a fresh generation from its SDL',
    async (_name, target) => {
      // Arrange
      const committed = fs.readFileSync(target.outputPath, 'utf8');

      // Act
      const generated = await generateResolverTypes(target);

      // Assert
      expect(committed).toBe(generated);
    },
  );
});
