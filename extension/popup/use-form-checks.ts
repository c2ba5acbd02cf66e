import { useEffect } from 'preact/hooks';
import { errorMessages } from '../messaging/error-messages.ts';

/**
 * The forms' checks (form-checks.ts) come in a chunk of their own with zod, loaded on demand: the
 * popup paints its first screen (unlock, the list) without them. A form that checks its fields
 * starts loading them when it appears, so its submit finds them ready.
 */

export type FormChecks = typeof import('./form-checks.ts');

let loading: Promise<FormChecks> | undefined;

/** The checks, loaded once (tried again after a failed load). */
export function loadFormChecks(): Promise<FormChecks> {
  loading ??= import('./form-checks.ts').catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

/** For a form that checks its fields: start loading the checks as it appears. */
export function useFormChecks(): void {
  useEffect(() => {
    loadFormChecks().catch(() => undefined);
  }, []);
}

/** Runs `check` with the checks loaded; if they cannot be, the form shows the generic error. */
export function withFormChecks(check: (checks: FormChecks) => void, failed: (message: string) => void): void {
  loadFormChecks().then(check, () => failed(errorMessages.INTERNAL));
}
