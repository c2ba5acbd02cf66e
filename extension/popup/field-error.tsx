/**
 * A form field's error, shown right under the field. The field points at it (`invalid(id, …)`),
 * so a screen reader reads the message with the field, and tests find it by the field's name.
 */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} class="field-error" role="alert">
      {message}
    </p>
  );
}

/** The ARIA attributes of a field with an error (`aria-invalid`, `aria-describedby`), or none. */
export const invalid = (errorId: string, message: string | undefined) =>
  message ? { 'aria-invalid': true as const, 'aria-describedby': errorId } : {};
