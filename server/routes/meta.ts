import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { describe } from '../openapi/describe.ts';
import {
  type MetaResponse,
  MIN_CLIENT_PROTOCOL_VERSION,
  metaResponse,
  PROTOCOL_VERSION,
} from './meta-schema.ts';

/** Who answers at this address, without authentication: a client checks it before register and login. */
export const metaRoutes = new Hono<AppEnv>().get(
  '/',
  describe({
    summary: 'What this server is, which protocol it speaks and its password policy',
    tag: 'meta',
    answers: {
      200: { description: 'A Keyhold server, its protocol versions and policy.', schema: metaResponse },
    },
  }),
  (c) => {
    const meta: MetaResponse = {
      service: 'keyhold',
      protocol: { version: PROTOCOL_VERSION, minClientVersion: MIN_CLIENT_PROTOCOL_VERSION },
      policy: c.var.deps.policy,
    };
    return c.json(meta, 200);
  },
);
