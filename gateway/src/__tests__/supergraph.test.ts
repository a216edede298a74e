import { composeSupergraph, readCommittedSupergraph } from '../supergraph';

describe('supergraph (SPEC G1)', () => {
  it('the committed schema/supergraph.graphql equals a fresh composition of the four subgraphs', () => {
    // Arrange
    const committed = readCommittedSupergraph();

    // Act
    const composed = composeSupergraph();

    // Assert
    expect(committed).toBe(composed);
  });
});
