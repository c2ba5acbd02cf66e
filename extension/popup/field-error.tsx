import type { InputEventHandler } from 'preact';
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

/**
 * A master-password field: its label, the input (never autofilled from another field's value,
 * `autoComplete` says which password it is) and its error right under it, wired for screen readers.
 */
export function PasswordField(props: {
  label: string;
  autoComplete: 'current-password' | 'new-password';
  value: string;
  onInput: InputEventHandler<HTMLInputElement>;
  errorId: string;
  error: string | undefined;
  required?: boolean;
}) {
  return (
    <>
      <label>
        {props.label}
        <input
          type="password"
          autoComplete={props.autoComplete}
          value={props.value}
          onInput={props.onInput}
          required={props.required}
          {...invalid(props.errorId, props.error)}
        />
      </label>
      <FieldError id={props.errorId} message={props.error} />
    </>
  );
}
