import type { ComponentChildren } from 'preact';

/**
 * A translated sentence whose `<strong>…</strong>` parts are shown as strong text. The markup is
 * split out of the text, never parsed as HTML: a substituted value (an email) stays plain text.
 */
export function WithStrong({ text }: { text: string }) {
  const parts = text.split(/<strong>(.*?)<\/strong>/s);
  return <>{parts.map((part, i) => (i % 2 === 1 ? <strong key={String(i)}>{part}</strong> : part))}</>;
}

/** Stands in a translated sentence for an element shown there (`Slotted`): never in a translation. */
export const SLOT = '\u2063';

/**
 * A translated sentence with one element in it, where the language puts it: `text` is the sentence
 * translated with `SLOT` as that element's substitution, `children` the element.
 */
export function Slotted({ text, children }: { text: string; children: ComponentChildren }) {
  const at = text.indexOf(SLOT);
  if (at < 0) return <>{text}</>;
  return (
    <>
      {text.slice(0, at)}
      {children}
      {text.slice(at + SLOT.length)}
    </>
  );
}
