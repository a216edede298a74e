import { portalCodegen, staleFiles } from '../../scripts/codegen';

// graphql-codegen loads the API schema and every plugin: seconds on a busy machine.
jest.setTimeout(60_000);

describe("the portal's generated files (issue 18)", () => {
  it('src/__generated__ and documents/first-party/portal.json are what npm run portal:codegen writes from the committed supergraph', async () => {
    // Act
    const files = await portalCodegen();

    // Assert
    expect(staleFiles(files)).toEqual([]);
  });
});
