/**
 * The development explorer served at GET /graphql to browsers (never in production): a
 * dependency-free page to write an operation, its variables and bearer token, run it, and
 * browse the schema's root fields through introspection. No CDN, no bundle.
 */
export const EXPLORER_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>GraphQL explorer (development)</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 1fr 1fr 18rem; height: 100vh; }
  section { display: flex; flex-direction: column; padding: .5rem; gap: .4rem; min-height: 0; }
  textarea, pre { font-family: ui-monospace, monospace; font-size: 13px; flex: 1; margin: 0; padding: .4rem; border: 1px solid #ccc; overflow: auto; }
  #variables { flex: 0 0 6rem; } #token { font-family: ui-monospace, monospace; }
  aside { border-left: 1px solid #ddd; padding: .5rem; overflow: auto; font-size: 13px; }
  aside li { cursor: pointer; } button { padding: .3rem 1rem; }
</style>
</head>
<body>
<section>
  <label>Operation</label>
  <textarea id="query" spellcheck="false">query AccountTree {
  accountTree { id name depth status }
}</textarea>
  <label>Variables (JSON)</label>
  <textarea id="variables" spellcheck="false">{}</textarea>
  <label>Bearer token <input id="token" size="50" placeholder="ses_… from the login mutation"></label>
  <button id="run">Run (Ctrl-Enter)</button>
</section>
<section><label>Response</label><pre id="result"></pre></section>
<aside><strong>Root fields</strong><div id="schema">loading…</div></aside>
<script>
  const $ = (id) => document.getElementById(id);
  $('token').value = localStorage.getItem('explorer.token') || '';
  async function post(body) {
    const headers = { 'content-type': 'application/json' };
    const token = $('token').value.trim();
    localStorage.setItem('explorer.token', token);
    if (token) headers.authorization = 'Bearer ' + token;
    const response = await fetch(location.pathname, { method: 'POST', headers, body: JSON.stringify(body) });
    return response.json();
  }
  async function run() {
    let variables;
    try { variables = JSON.parse($('variables').value || '{}'); } catch (e) { $('result').textContent = 'Variables: ' + e.message; return; }
    $('result').textContent = '…';
    const result = await post({ query: $('query').value, variables });
    $('result').textContent = JSON.stringify(result, null, 2);
    const token = result.data && (result.data.login || result.data.switchAccount);
    if (token && token.token) $('token').value = token.token;
  }
  $('run').onclick = run;
  document.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) run(); });
  post({ query: '{ __schema { queryType { fields { name description } } mutationType { fields { name description } } } }' }).then((result) => {
    const schema = result.data && result.data.__schema;
    if (!schema) { $('schema').textContent = 'introspection is off'; return; }
    const list = (title, type) => '<p>' + title + '</p><ul>' + (type ? type.fields : []).map((f) =>
      '<li title="' + (f.description || '').replace(/"/g, '&quot;') + '">' + f.name + '</li>').join('') + '</ul>';
    $('schema').innerHTML = list('Query', schema.queryType) + list('Mutation', schema.mutationType);
  });
</script>
</body>
</html>
`;
