import type { MiddlewareHandler } from 'hono';
import { uniqueSymbol } from 'hono-openapi';
import type { z } from 'zod';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
import { validatorDescription } from '../openapi/describe.ts';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** First zod issue as a 400 VALIDATION naming the field path ("changes.3.ciphertext"). */
export function validationError(error: z.ZodError, prefix?: string): ApiError {
  const issue = error.issues[0];
  const field = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  const message = field ? `${field}: ${issue?.message}` : (issue?.message ?? 'invalid request');
  return new ApiError(400, 'VALIDATION', message, field ? { field } : {});
}

/** The schema also describes the route's request body or query (docs/api/openapi.json). */
const describedBy = <M extends MiddlewareHandler<AppEnv, string, object>>(
  middleware: M,
  target: 'json' | 'query',
  schema: z.ZodType,
): M => Object.assign(middleware, { [uniqueSymbol]: validatorDescription(target, schema) });

/**
 * Parses and validates the JSON body. Unlike hono's validator, a missing or non-JSON content type and
 * unparsable JSON both become MALFORMED_JSON, and schema failures name the field.
 */
export const jsonBody = <S extends z.ZodType>(
  schema: S,
): MiddlewareHandler<AppEnv, string, { in: { json: z.input<S> }; out: { json: z.output<S> } }> =>
  describedBy(
    async function jsonBody(c, next) {
      const mediaType = (c.req.header('content-type') ?? '').split(';')[0]?.trim() ?? '';
      if (!JSON_MEDIA_TYPE.test(mediaType)) {
        throw new ApiError(
          400,
          'MALFORMED_JSON',
          'The request body must be JSON (Content-Type: application/json).',
        );
      }
      // Outside the try: a body the client broke off is not malformed JSON (app.ts logs it as theirs).
      const text = await c.req.text();
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new ApiError(400, 'MALFORMED_JSON', 'The request body is not valid JSON.');
      }
      const result = schema.safeParse(value);
      if (!result.success) throw validationError(result.error);
      c.req.addValidatedData('json', result.data as object);
      await next();
    },
    'json',
    schema,
  );

/** Validates the query string; failures name the parameter. */
export const query = <S extends z.ZodType>(
  schema: S,
): MiddlewareHandler<AppEnv, string, { in: { query: z.input<S> }; out: { query: z.output<S> } }> =>
  describedBy(
    async function query(c, next) {
      const result = schema.safeParse(c.req.query());
      if (!result.success) throw validationError(result.error);
      c.req.addValidatedData('query', result.data as object);
      await next();
    },
    'query',
    schema,
  );
