/**
 * `npm run partner:upload-manifest -- --app <partner app id> --file manifest.json --token <admin token> [--url <gateway>]`
 * Uploads an Apollo persisted query manifest as the app's next manifest version (SPEC G3).
 * The token may also come from PLATFORM_TOKEN (keeps it out of the process list and shell history).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';

const USAGE = 'usage: partner:upload-manifest -- --app <id> --file <manifest.json> --token <admin token> [--url http://localhost:4000/graphql]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { app: { type: 'string' }, file: { type: 'string' }, token: { type: 'string' }, url: { type: 'string', default: 'http://localhost:4000/graphql' } },
  });
  const token = values.token ?? process.env.PLATFORM_TOKEN;
  if (!values.app || !values.file || !token) throw new Error(USAGE);
  const manifest: unknown = JSON.parse(fs.readFileSync(values.file, 'utf8'));
  const response = await fetch(values.url!, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: 'mutation UploadPartnerManifest($appId: ID!, $manifest: JSON!) { uploadPartnerManifest(appId: $appId, manifest: $manifest) { version operationCount } }',
      variables: { appId: values.app, manifest },
    }),
  });
  const result = (await response.json()) as { data?: { uploadPartnerManifest: { version: number; operationCount: number } }; errors?: { message: string; extensions?: { code?: string } }[] };
  if (!result.data?.uploadPartnerManifest) {
    throw new Error((result.errors ?? []).map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('\n') || `HTTP ${response.status}`);
  }
  const { version, operationCount } = result.data.uploadPartnerManifest;
  console.log(`manifest version ${version} uploaded (${operationCount} operations)`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
