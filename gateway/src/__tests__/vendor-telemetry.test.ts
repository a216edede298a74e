import { startTestStack, type TestStack } from '@platform/platform/testing';

describe("Apollo Gateway's data collection", () => {
  let stack: TestStack;
  afterAll(() => stack?.close());

  it('is switched off by the gateway itself, whatever the environment says', async () => {
    // Arrange
    process.env.APOLLO_TELEMETRY_DISABLED = 'false';

    // Act
    stack = await startTestStack();

    // Assert: @apollo/gateway creates its exporter to usage-reporting.api.apollographql.com unless this reads 'true' or '1'
    expect(process.env.APOLLO_TELEMETRY_DISABLED).toBe('true');
    expect((await stack.graphql('{ __typename }', {})).data).toEqual({ __typename: 'Query' });
  });
});
