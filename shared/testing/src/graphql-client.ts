export interface GraphQLResponse<TData = any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  status: number;
  data?: TData;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [key: string]: unknown } }[];
}

/** The `extensions.code` of a response's first error (undefined when it has none). */
export const codeOf = (response: { errors?: { extensions?: { code?: string } }[] }) => response.errors?.[0]?.extensions?.code;

export async function postGraphQL<TData>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let json: Omit<GraphQLResponse<TData>, 'status'>;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`Non-JSON response ${response.status}: ${text.slice(0, 200)}`);
  }
  return { status: response.status, ...json };
}

type GraphQLError = NonNullable<GraphQLResponse['errors']>[number];

/**
 * An operation text with the types of its result and variables, so a test's `data` is typed:
 * `const TREE = typedDocument<{ accountTree: { id: string }[] }>('query { accountTree { id } }')`.
 */
export interface TypedDocument<TData, TVariables extends Record<string, unknown> = Record<string, never>> {
  readonly query: string;
  /** never set: carries the result and variable types */
  readonly __types?: { data: TData; variables: TVariables };
}

export const typedDocument = <TData, TVariables extends Record<string, unknown> = Record<string, never>>(query: string): TypedDocument<TData, TVariables> => ({ query });

/** The answer's data, after checking that it carries no error (the errors are in the failure message). */
export function expectNoErrors<TData>(response: GraphQLResponse<TData>): TData {
  if (response.errors?.length) throw new Error(`expected no errors, got ${JSON.stringify(response.errors, null, 2)}`);
  if (response.data === undefined || response.data === null) throw new Error(`expected data, got status ${response.status} without data`);
  return response.data;
}

/** The answer's first error, after checking that it carries `code` (and, if given, is at `path`). */
export function expectError(response: GraphQLResponse<unknown>, code: string, path?: (string | number)[]): GraphQLError {
  const error = response.errors?.find((candidate) => candidate.extensions?.code === code && (!path || JSON.stringify(candidate.path) === JSON.stringify(path)));
  if (!error) throw new Error(`expected an error ${code}${path ? ` at ${path.join('.')}` : ''}, got ${JSON.stringify(response.errors ?? response.data)}`);
  return error;
}
