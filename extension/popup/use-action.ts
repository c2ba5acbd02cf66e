import { useState } from 'preact/hooks';
import { PopupError } from './send.ts';

/** Which of a form's fields a reply's `field` (a request path) belongs to; null: the whole form. */
export type FieldOf = (field: string) => string | null;

/** For a form whose fields are named as in the request. */
export const fieldsIn =
  (names: readonly string[]): FieldOf =>
  (field) =>
    names.includes(field) ? field : null;

const noFields: FieldOf = () => null;

/**
 * Runs one user action at a time and keeps its error: next to the field it is about (`fieldErrors`,
 * keyed by `fieldOf`) or for the whole form (`error`). A field's error goes when its input changes.
 */
export function useAction(fieldOf: FieldOf = noFields) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Readonly<Record<string, string>>>({});
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      await work();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const key = e instanceof PopupError && e.field ? fieldOf(e.field) : null;
      if (key) setFieldErrors({ [key]: message });
      else setError(message);
    } finally {
      setBusy(false);
    }
  };
  const clearField = (key: string) =>
    setFieldErrors((errors) => {
      if (!(key in errors)) return errors;
      const { [key]: _gone, ...rest } = errors;
      return rest;
    });
  return { busy, error, fieldErrors, run, setError, setFieldErrors, clearField };
}
