import { readCommittedSupergraph } from '@platform/gateway';
import { composeSupergraph } from '../supergraph';

describe('supergraph (SPEC G1)', () => {
  it('the committed schema/supergraph.graphql equals a fresh composition of the registered subgraphs', () => {
    // Arrange
    const committed = readCommittedSupergraph();

    // Act
    const composed = composeSupergraph();

    // Assert
    expect(committed).toBe(composed);
  });
});
