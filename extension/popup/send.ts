import { browser } from 'wxt/browser';
import { errorMessages } from '../messaging/error-messages.ts';
import {
  ErrorCode,
  type MessageName,
  type Reply,
  type RequestOf,
  type Responses,
} from '../messaging/protocol.ts';

/**
 * A reply that was not ok, carried as an exception so a form can show its message — next to
 * `field` (the request field it is about, e.g. `serverUrl`, `fields.totp`) when there is one.
 */
export class PopupError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export async function send<N extends MessageName>(name: N, request: RequestOf<N>): Promise<Responses[N]> {
  let reply: Reply<Responses[N]> | undefined;
  try {
    reply = (await browser.runtime.sendMessage({ name, request })) as Reply<Responses[N]> | undefined;
  } catch {
    throw new PopupError(ErrorCode.Internal, errorMessages.INTERNAL);
  }
  // Anything but a reply (nothing, or the marker a worker's failed listener sends through
  // webextension-polyfill, which extension pages do not load) is the generic error.
  if (typeof reply?.ok !== 'boolean') throw new PopupError(ErrorCode.Internal, errorMessages.INTERNAL);
  if (!reply.ok) throw new PopupError(reply.code, reply.message, reply.field);
  return reply.value;
}
