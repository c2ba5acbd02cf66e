/**
 * Re-finding a field a framework replaced. Some frameworks re-create inputs while a form is being
 * filled (a re-render on the first input event swaps the password box for a new element), so an
 * opaque id can point at a detached element between two operations of one fill. The replacement is
 * the input that looks like the old one: same type, same name and id attribute, in the same form
 * when that form is still in the page, and — when several qualify or the old one had neither name
 * nor id — at the same position among the frame's inputs. Anything else is not a replacement: no
 * guess ever sends a value into a field of another kind. Pure (data only), unit-tested.
 */

/** What a field looked like when it was collected. */
export interface FieldPrint {
  type: string;
  name: string;
  /** The `id` attribute. */
  htmlId: string;
  /** Index among the frame's candidate inputs (collect's `order`). */
  position: number;
}

export interface Candidate extends FieldPrint {
  /** In the old field's form (or page section), when that form is still attached. */
  sameGroup: boolean;
}

/** Index in `candidates` of the one replacement, or null when there is none or it is ambiguous. */
export function pickReplacement(
  old: FieldPrint,
  candidates: Candidate[],
  groupAttached: boolean,
): number | null {
  const alike: number[] = [];
  candidates.forEach((c, i) => {
    if (c.type !== old.type || c.name !== old.name || c.htmlId !== old.htmlId) return;
    if (groupAttached && !c.sameGroup) return;
    // Nothing names the field: only its place can say it is the same one.
    if (old.name === '' && old.htmlId === '' && c.position !== old.position) return;
    alike.push(i);
  });
  if (alike.length === 1) return alike[0] as number;
  const samePlace = alike.filter((i) => candidates[i]?.position === old.position);
  return samePlace.length === 1 ? (samePlace[0] as number) : null;
}
