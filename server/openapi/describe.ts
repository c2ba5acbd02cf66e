import type { MiddlewareHandler } from 'hono';
import {
  type DescribeRouteOptions,
  describeRoute,
  type GenerateSpecOptions,
  type HandlerUniqueProperty,
  type ResponsesWithResolver,
  resolver,
} from 'hono-openapi';
import type { z } from 'zod';
import type { Scope } from '../tokens.ts';

/**
 * How the routes describe themselves in the OpenAPI document (docs/api/openapi.json, built by
 * document.ts). hono-openapi finds a route's description on its handlers under `uniqueSymbol`: every
 * route names its summary and tag with `describe`; requireScope adds the security requirement and
 * validate.ts the request body or query parameters, from the same zod schemas that check them.
 */

// OpenAPI object types as hono-openapi takes them (openapi-types is its dependency, not ours).
type Documentation = GenerateSpecOptions['documentation'];
type TagObject = NonNullable<Documentation['tags']>[number];
type SecuritySchemeObject = NonNullable<NonNullable<Documentation['components']>['securitySchemes']>[string];
type ResponseObject = Exclude<GenerateSpecOptions['defaultValidationErrorResponse'], boolean>;

/** The tags of the document, in its order. */
export const tags = [
  { name: 'meta', description: 'What this server is and speaks; this document.' },
  { name: 'health', description: 'Liveness and readiness probes for orchestrators.' },
  { name: 'accounts', description: 'Registration, pre-login and the account itself.' },
  { name: 'sessions', description: 'Sign-in, token refresh, sign-out and the account’s devices.' },
  { name: 'keys', description: 'The key lifecycle: password change, recovery key, rotation, vault reset.' },
  { name: 'sync', description: 'Encrypted items: pull changes, push changes, the push channel.' },
  { name: 'activity', description: 'The account’s own audit events.' },
  { name: 'audit', description: 'Public keys that sign the audit log’s checkpoints.' },
] as const satisfies readonly TagObject[];
export type Tag = (typeof tags)[number]['name'];

/** The schema component every error answer refers to (server/api-error.ts). */
export const ERROR_SCHEMA = 'Error';

/** An error answer: `{ error: { code, message, field?, reason? } }`. */
export const errorAnswer = (description: string): ResponseObject => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ERROR_SCHEMA}` } } },
});

/** Security schemes: an access token in `Authorization: DPoP <token>` and the request's DPoP proof. */
export const securitySchemes = {
  accessToken: {
    type: 'http',
    scheme: 'DPoP',
    description:
      'An access token from sign-in or refresh, sent as `Authorization: DPoP <token>` (RFC 9449); ' +
      '`Bearer` is refused. The roles listed are the scope the route requires.',
  },
  dpopProof: {
    type: 'apiKey',
    in: 'header',
    name: 'DPoP',
    description:
      'A DPoP proof JWT signed by the session\'s key for this request (docs/sessions.md, "DPoP"); ' +
      'with a token it carries the token hash (`ath`).',
  },
} as const satisfies Record<string, SecuritySchemeObject>;

/** Attached to requireScope(scope): the route needs an access token of `scope` and its proof. */
export const scopeDescription = (scope: Scope): HandlerUniqueProperty => ({
  spec: {
    security: [{ accessToken: [scope], dpopProof: [] }],
    responses: {
      401: errorAnswer(
        'No token, or an invalid or expired one, or a bad DPoP proof (UNAUTHENTICATED, INVALID_TOKEN, ' +
          'INVALID_DPOP_PROOF, USE_DPOP_NONCE), or the session ended (SESSION_ENDED).',
      ),
      403: errorAnswer(`The token lacks the "${scope}" scope (FORBIDDEN_SCOPE).`),
    },
  },
});

/** Attached to the auth routes' per-client request limit (middleware/rate-limit.ts). */
export const rateLimitDescription: HandlerUniqueProperty = {
  spec: {
    responses: {
      429: errorAnswer('Too many requests from this client (RATE_LIMITED); see `Retry-After`.'),
      503: errorAnswer('The limit store is unavailable: sign-in is paused (LIMITS_UNAVAILABLE).'),
    },
  },
};

/** Attached to jsonBody/query (middleware/validate.ts): the request part their schema checks. */
export const validatorDescription = (target: 'json' | 'query', schema: z.ZodType): HandlerUniqueProperty => ({
  target,
  ...resolver(schema),
});

/** What a validator adds to its route's answers (hono-openapi's `defaultValidationErrorResponse`). */
export const validationErrorAnswer = errorAnswer(
  'The body is not JSON (MALFORMED_JSON), or a field or parameter is invalid (VALIDATION, naming it in `field`).',
);

/** A success answer: what it means, and its schema where one exists. */
interface Answer {
  description: string;
  /** The body's zod schema (its output: what the server sends); absent for an answer without a body. */
  schema?: z.ZodType;
  /** Default application/json. */
  media?: string;
}

export interface RouteDescription {
  summary: string;
  tag: Tag;
  description?: string;
  /** The success answers by status. */
  answers: Partial<Record<200 | 201 | 204, Answer>>;
  /** Token endpoints (sign-in, refresh, recovery): a DPoP proof without an access token. */
  proofOnly?: true;
}

/**
 * How an answer's zod schema becomes JSON Schema: as the server sends it (zod's output), but open
 * to fields a later version adds (docs/protocol.md: clients ignore unknown keys), so without the
 * `additionalProperties: false` zod writes for an output object.
 */
export const answerSchemaOptions = {
  options: {
    io: 'output',
    override: ({ jsonSchema }: { jsonSchema: { additionalProperties?: unknown } }) => {
      if (jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
    },
  },
};

const answerObject = ({ description, schema, media = 'application/json' }: Answer) =>
  schema
    ? { description, content: { [media]: { schema: resolver(schema, answerSchemaOptions) } } }
    : { description };

/** The route's summary, tag and success answers; any other answer is an error (`default`). */
export function describe(route: RouteDescription): MiddlewareHandler {
  const responses: ResponsesWithResolver = {};
  for (const [status, answer] of Object.entries(route.answers)) responses[status] = answerObject(answer);
  responses.default = errorAnswer('An error (see docs/protocol.md for the codes).');
  const spec: DescribeRouteOptions = {
    summary: route.summary,
    tags: [route.tag],
    ...(route.description && { description: route.description }),
    ...(route.proofOnly && { security: [{ dpopProof: [] }] }),
    responses,
  };
  return describeRoute(spec);
}
