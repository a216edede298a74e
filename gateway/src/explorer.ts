import fs from 'node:fs';
import path from 'node:path';
import type { HttpRoute } from '@platform/server';

/**
 * The development explorer: GraphiQL, bundled from npm (graphiql 3's browser build with React 18's
 * UMD builds — no CDN, no bundler), served at GET /graphql to browsers and its assets under
 * /explorer/. Never enabled in production.
 */
const ASSETS: Record<string, { packageName: string; file: string; type: string }> = {
  '/explorer/react.js': { packageName: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  '/explorer/react-dom.js': { packageName: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  '/explorer/graphiql.js': { packageName: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  '/explorer/graphiql.css': { packageName: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
};

export const EXPLORER_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>GraphQL explorer (development)</title>
<link rel="stylesheet" href="/explorer/graphiql.css">
<style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
<div id="graphiql">Loading the GraphQL explorer…</div>
<script src="/explorer/react.js"></script>
<script src="/explorer/react-dom.js"></script>
<script src="/explorer/graphiql.js"></script>
<script>
  const fetcher = async (params, options) => {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...((options && options.headers) || {}) },
      body: JSON.stringify(params),
    });
    return response.json();
  };
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher,
      isHeadersEditorEnabled: true,
      defaultHeaders: '{}',
      defaultQuery: '# 1. Run Login. 2. In Headers put {"authorization": "Bearer <the token>"}. 3. Run Tree.\\n\\nmutation Login {\\n  login(email: "hq.admin@retail.example", password: "demo-password") { token }\\n}\\n\\nquery Tree {\\n  accountTree { id name depth status }\\n}\\n',
    }),
  );
</script>
</body>
</html>
`;

/** The explorer's static assets, read from node_modules once and served with long caching. */
export function explorerAssetRoutes(): Record<string, HttpRoute> {
  const routes: Record<string, HttpRoute> = {};
  for (const [route, asset] of Object.entries(ASSETS)) {
    // The packages' export maps hide these browser builds from require.resolve: read them from the package folder.
    const body = fs.readFileSync(path.join(path.dirname(require.resolve(`${asset.packageName}/package.json`)), asset.file));
    routes[route] = async (_request, response) => {
      response.writeHead(200, { 'content-type': `${asset.type}; charset=utf-8`, 'content-length': body.length, 'cache-control': 'public, max-age=86400' });
      response.end(body);
    };
  }
  return routes;
}
