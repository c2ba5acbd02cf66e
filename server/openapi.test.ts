import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from './api-routes.ts';
import { buildOpenApiDocument, serializeOpenApi } from './openapi/document.ts';
import { createTestApp } from './test-support/app.ts';
import { createTestDatabase, type TestDatabase } from './test-support/db.ts';

const committedPath = fileURLToPath(new URL('../docs/api/openapi.json', import.meta.url));

type Operation = { summary?: string; tags?: string[]; security?: Record<string, string[]>[] };
type Document = { paths: Record<string, Record<string, Operation>> };

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());

/** Hono's `/v1/sessions/:id` as OpenAPI writes it: `/v1/sessions/{id}`. */
const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

describe('OpenAPI document', () => {
  it('docs/api/openapi.json is what the code generates', async () => {
    const generated = serializeOpenApi(await buildOpenApiDocument(apiRoutes));
    const committed = readFileSync(committedPath, 'utf8');
    expect(committed, 'docs/api/openapi.json is out of date: run `npm run openapi`').toBe(generated);
  });

  it('describes every route the app answers, each with a summary and a tag', async () => {
    const { app } = createTestApp(testDb.database);
    const document = JSON.parse(readFileSync(committedPath, 'utf8')) as Document;
    // App-wide middleware (ALL) and the CORS preflight answer (OPTIONS *) are not operations.
    const routes = app.routes.filter((route) => route.method !== 'ALL' && route.method !== 'OPTIONS');
    expect(routes.length).toBeGreaterThan(20);
    const missing = routes
      .map((route) => `${route.method} ${route.path}`)
      .filter((route) => {
        const [method = '', path = ''] = route.split(' ');
        const operation = document.paths[openApiPath(path)]?.[method.toLowerCase()];
        return !operation?.summary || operation.tags?.length !== 1;
      });
    expect(
      missing,
      'routes missing from docs/api/openapi.json: describe them, then run `npm run openapi`',
    ).toEqual([]);
  });

  it('takes security, request bodies and query parameters from the middleware the routes run', async () => {
    const document = (await buildOpenApiDocument(apiRoutes)) as unknown as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const push = document.paths['/v1/sync/push']?.post;
    expect(push?.security).toEqual([{ accessToken: ['vault:write'], dpopProof: [] }]);
    expect(push?.requestBody).toMatchObject({
      required: true,
      content: { 'application/json': { schema: { type: 'object', required: ['changes'] } } },
    });
    const changes = document.paths['/v1/sync/changes']?.get;
    expect(changes?.parameters).toEqual([
      expect.objectContaining({ in: 'query', name: 'since' }),
      expect.objectContaining({ in: 'query', name: 'limit' }),
    ]);
    expect(Object.keys(changes?.responses ?? {})).toEqual(['200', '400', '401', '403', 'default']);
    expect(document.paths['/v1/meta']?.get?.security).toBeUndefined();
    expect(document.paths['/v1/sessions']?.post?.security).toEqual([{ dpopProof: [] }]);
  });

  it('GET /v1/openapi.json → 200 without a token: the committed document', async () => {
    const { call } = createTestApp(testDb.database);
    const first = await call('GET', '/v1/openapi.json');
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await first.text();
    expect(text).toBe(readFileSync(committedPath, 'utf8'));
    const document = JSON.parse(text) as { openapi: string; info: { title: string; version: string } };
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.title).toBe('Keyhold sync API');
    expect(text).not.toContain(process.cwd());
    expect(await (await call('GET', '/v1/openapi.json')).text()).toBe(text);
  });
});
