import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../server/routes/meta-schema.ts';
import { DEFAULT_PASSWORD_POLICY } from './password-policy.ts';

describe('DEFAULT_PASSWORD_POLICY', () => {
  // A copy, so that pages need not import the server's zod schemas to know it.
  it('is the server default policy', () => {
    expect(DEFAULT_PASSWORD_POLICY).toEqual(DEFAULT_POLICY);
  });
});
