import { type Env, Hono } from 'hono';
import type { BlankSchema } from 'hono/types';
import type { AppEnv } from '../app-env.ts';
import { describe } from '../openapi/describe.ts';
import { buildOpenApiDocument, serializeOpenApi } from '../openapi/document.ts';

/**
 * GET /v1/openapi.json: the API's OpenAPI document (docs/api/openapi.json), without a token. Built
 * from the route table on the first request, then served from memory: routes do not change while
 * the process runs.
 */
export function openApiRoutes<E extends Env>(documented: () => Hono<E, BlankSchema, string>) {
  // Built from the code alone, so a build that failed would fail again: nothing to retry.
  let text: Promise<string> | undefined;
  const documentText = () => {
    text ??= buildOpenApiDocument(documented()).then(serializeOpenApi);
    return text;
  };
  return new Hono<AppEnv>().get(
    '/openapi.json',
    describe({
      summary: 'This document: the OpenAPI 3.1 description of the API',
      tag: 'meta',
      answers: { 200: { description: 'The OpenAPI document (the same as docs/api/openapi.json).' } },
    }),
    async (c) => c.body(await documentText(), 200, { 'Content-Type': 'application/json; charset=utf-8' }),
  );
}
