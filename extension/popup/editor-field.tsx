import type { InputEventHandler } from 'preact';
import { FieldError, invalid } from './field-error.tsx';

/** The editor's id for a field's error message (`aria-describedby` points at it). */
export const errorId = (key: string) => `item-${key}-error`;

/** What every type's section gets from the editor: values, a setter that clears the field's error, errors. */
export interface SectionProps {
  values: Readonly<Record<string, string>>;
  /** Sets a field and clears its error: the message was about the old value. */
  set: (name: string, value: string) => void;
  errors: Readonly<Record<string, string>>;
}

/** ARIA attributes of the field with error key `key`. */
export const ariaOf = (errors: SectionProps['errors'], key: string) => invalid(errorId(key), errors[key]);

/** The input attributes the editor's text fields set beside value and handler. */
interface InputProps {
  inputMode?: 'text' | 'numeric' | 'email' | 'tel' | 'url';
  dir?: 'auto' | 'ltr';
  spellcheck?: boolean;
  autoCapitalize?: 'off';
  placeholder?: string;
  size?: number;
  maxLength?: number;
}

/** A labelled text input for one field of the item, with its error right under it. */
export function TextField({
  name,
  label,
  section,
  ...input
}: { name: string; label: string; section: SectionProps } & InputProps) {
  return (
    <>
      <label>
        {label}
        <input
          type="text"
          dir="auto"
          autoComplete="off"
          {...input}
          value={section.values[name] ?? ''}
          onInput={(e) => section.set(name, e.currentTarget.value)}
          {...ariaOf(section.errors, name)}
        />
      </label>
      <FieldError id={errorId(name)} message={section.errors[name]} />
    </>
  );
}

interface SecretProps extends InputProps {
  reveal: boolean;
  value: string;
  onInput: InputEventHandler<HTMLInputElement>;
  autoComplete?: 'off';
  'aria-label'?: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

/** An input masked as a password until `reveal` (two elements: the input's type union wants that). */
export function SecretInput({ reveal, ...props }: SecretProps) {
  return reveal ? <input type="text" spellcheck={false} {...props} /> : <input type="password" {...props} />;
}

/** A labelled secret input (password, security code), masked until `reveal`. */
export function SecretField({ label, ...props }: SecretProps & { label: string }) {
  const { reveal, ...input } = props;
  return reveal ? (
    <label>
      {label}
      <input type="text" spellcheck={false} {...input} />
    </label>
  ) : (
    <label>
      {label}
      <input type="password" {...input} />
    </label>
  );
}
