import { FieldError, invalid } from './field-error.tsx';

/**
 * A whole-number option of the generator: label, number input and its error under it. An empty or
 * unreadable entry is passed on as NaN, so the error says what to type instead of the value jumping.
 */
export function NumberField(props: {
  id: string;
  label: string;
  value: number;
  min: number;
  max: number;
  error: string | undefined;
  onChange: (n: number) => void;
}) {
  const errorId = `${props.id}-error`;
  return (
    <>
      <label>
        {props.label}
        <input
          id={props.id}
          type="number"
          inputMode="numeric"
          min={props.min}
          max={props.max}
          step={1}
          value={Number.isNaN(props.value) ? '' : String(props.value)}
          onInput={(e) =>
            props.onChange(e.currentTarget.value === '' ? Number.NaN : Number(e.currentTarget.value))
          }
          {...invalid(errorId, props.error)}
        />
      </label>
      <FieldError id={errorId} message={props.error} />
    </>
  );
}

/** A yes/no option of the generator. */
export function CheckField(props: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (on: boolean) => void;
  describedBy?: string;
}) {
  return (
    <label class="check">
      <input
        id={props.id}
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
        {...(props.describedBy ? { 'aria-describedby': props.describedBy } : {})}
      />
      {props.label}
    </label>
  );
}
