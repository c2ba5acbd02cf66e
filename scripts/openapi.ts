import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { apiRoutes } from '../server/api-routes.ts';
import { buildOpenApiDocument, serializeOpenApi } from '../server/openapi/document.ts';

/**
 * `npm run openapi`: writes docs/api/openapi.json from the routes (server/openapi/). A server test
 * fails while the committed file differs from what the code generates.
 */
const target = fileURLToPath(new URL('../docs/api/openapi.json', import.meta.url));
writeFileSync(target, serializeOpenApi(await buildOpenApiDocument(apiRoutes)));
console.log(`wrote ${target}`);
