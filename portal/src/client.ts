import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

/** What the server of the static files tells the portal (`/portal-config.json`), so one build serves any gateway. */
export interface PortalConfig {
  gatewayUrl: string;
}

let configPromise: Promise<PortalConfig> | undefined;
export function portalConfig(): Promise<PortalConfig> {
  configPromise ??= fetch('/portal-config.json').then(async (response) => {
    if (!response.ok) throw new Error(`portal-config.json: HTTP ${response.status}`);
    return (await response.json()) as PortalConfig;
  });
  return configPromise;
}

const TOKEN_KEY = 'portal.session';
export const session = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export interface GraphQLErrorEntry {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; field?: string; fields?: { field: string; code: string; message: string }[]; [key: string]: unknown };
}

/** An answer without data, or a refused mutation: every error the API gave. */
export class ApiError extends Error {
  constructor(readonly errors: GraphQLErrorEntry[]) {
    super(errors.map((error) => error.message).join('; '));
  }

  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }

  /** Messages by input field (`extensions.field`, `extensions.fields`), to show next to the field they concern. */
  get byField(): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const error of this.errors) {
      for (const entry of error.extensions?.fields ?? []) fields[entry.field] ??= entry.message;
      const field = error.extensions?.field;
      if (field && !error.extensions?.fields) fields[field] ??= error.message;
    }
    return fields;
  }
}

export interface Answer<TData> {
  data: TData;
  /** Errors of fields that failed alone (e.g. FORBIDDEN on a balance): the rest of the answer stands. */
  partialErrors: GraphQLErrorEntry[];
}

type Persisted = { __meta__?: { hash?: string } };

/**
 * Sends a persisted operation by its id only (`documentId`, GraphQL over HTTP's persisted documents):
 * the bundle carries no query text, the gateway runs the first-party manifest's body of that id.
 */
export async function request<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, variables?: TVariables): Promise<Answer<TData>> {
  const documentId = (document as unknown as Persisted).__meta__?.hash;
  if (!documentId) throw new Error('not a persisted document');
  const { gatewayUrl } = await portalConfig();
  const token = session.get();
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ documentId, variables: variables ?? {} }),
  });
  let body: { data?: TData | null; errors?: GraphQLErrorEntry[] };
  try {
    body = await response.json();
  } catch {
    throw new ApiError([{ message: `The server answered HTTP ${response.status}`, extensions: { code: 'SERVICE_UNAVAILABLE' } }]);
  }
  if (body.errors?.some((error) => error.extensions?.code === 'UNAUTHENTICATED') && token) {
    session.clear();
    window.dispatchEvent(new Event('portal:signed-out'));
  }
  if (!body.data || (body.errors?.length && isMutationFailure(body.data, body.errors))) throw new ApiError(body.errors ?? [{ message: 'No answer' }]);
  return { data: body.data, partialErrors: body.errors ?? [] };
}

/** A mutation's root field that failed comes back null with its error on that path: the whole change was refused. */
function isMutationFailure(data: unknown, errors: GraphQLErrorEntry[]): boolean {
  return errors.some((error) => error.path?.length === 1 && (data as Record<string, unknown>)[String(error.path[0])] === null);
}

/**
 * Downloads a file the gateway serves at a short-lived link (a usage export, an invoice): the browser
 * streams it to disk (the answer is an attachment), the page stays where it is.
 */
export async function downloadFromGateway(link: string): Promise<void> {
  const { gatewayUrl } = await portalConfig();
  const anchor = document.createElement('a');
  anchor.href = new URL(link, gatewayUrl).href;
  anchor.rel = 'noopener';
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
}
