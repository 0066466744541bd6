// Runs graphql-http's GraphQL-over-HTTP server audits (MUST, SHOULD and MAY) against a URL.
// Usage: node audit.mjs http://127.0.0.1:8000/graphql
// Prints every audit that does not pass, then "graphql-http audits: N/M passed"; exits 1
// unless all pass. scripts/graphql_http_audit.py installs graphql-http next to this file,
// starts `registry serve` and runs it.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}

const results = await auditServer({ url });
let passed = 0;
for (const result of results) {
  if (result.status === 'ok') {
    passed += 1;
    continue;
  }
  let body = '';
  try {
    body = (await result.response.text()).slice(0, 300);
  } catch {
    // the audit already read the body
  }
  console.log(`${result.status.toUpperCase()} ${result.id} ${result.name}: ${result.reason}`);
  if (body) console.log(`  status ${result.response.status}, body: ${body}`);
}
console.log(`graphql-http audits: ${passed}/${results.length} passed`);
process.exit(passed === results.length && results.length > 0 ? 0 : 1);
