import { z } from 'zod';
import { lazyTable, once } from '../messaging/lazy-schemas.ts';

/** Runtime validation of content-script messages, in the service worker (see content-protocol.ts). */

const fieldId = once(() => z.string().regex(/^f\d{1,9}$/));
const secret = once(() => z.string().max(10_000));

/** Each built when a message of that name first arrives (lazy-schemas.ts). */
export const contentRequestSchemas = lazyTable({
  /** A trusted focus on a login, new-password or one-time-code field: should a menu open? */
  fieldFocused: () =>
    z.object({ fieldId: fieldId(), kind: z.enum(['username', 'password', 'new-password', 'otp']) }),
  /** A login, registration or password change was submitted with these values. */
  formSubmitted: () =>
    z.object({
      username: z.string().max(1000),
      password: secret(),
      newPassword: secret(),
    }),
  /** The frame has (new) fields worth a look: a one-time-code box, or it just loaded. */
  pageReady: () => z.object({ hasOtp: z.boolean(), top: z.boolean() }),
  /** The user closed the inline menu from the page side (Escape, blur). */
  menuClosed: () => z.object({}),
});
