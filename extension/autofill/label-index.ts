/**
 * The texts of the `<label for>` elements of each tree (document or shadow root), indexed once per
 * collect. `input.labels` walks the whole tree on every call: 2.5 s for a page of 5,000 labelled
 * inputs, against a few milliseconds for the index.
 */
export class LabelIndex {
  private readonly byRoot = new Map<Node, Map<string, string[]>>();

  /**
   * `perField`: look each input's labels up by its id instead of indexing the whole tree — for a
   * collect of one group, where a few look-ups cost less than indexing 5,000 labels.
   */
  constructor(private readonly perField = false) {}

  textsFor(el: HTMLInputElement | HTMLSelectElement): string[] {
    const texts = el.id ? this.forId(el.getRootNode(), el.id) : [];
    // A label around the input labels it unless its `for` names another element.
    const around = el.parentElement?.closest('label');
    if (around && (!around.htmlFor || around.htmlFor === el.id) && !texts.includes(around.textContent ?? ''))
      texts.push(around.textContent ?? '');
    return texts;
  }

  private forId(root: Node, id: string): string[] {
    const scope = root as ParentNode;
    if (this.perField) {
      const found = scope.querySelectorAll?.(`label[for="${CSS.escape(id)}"]`) ?? [];
      return [...found].map((label) => label.textContent ?? '');
    }
    let byId = this.byRoot.get(root);
    if (!byId) {
      byId = new Map();
      for (const label of scope.querySelectorAll?.('label[for]') ?? []) {
        const htmlFor = (label as HTMLLabelElement).htmlFor;
        const list = byId.get(htmlFor);
        if (list) list.push(label.textContent ?? '');
        else byId.set(htmlFor, [label.textContent ?? '']);
      }
      this.byRoot.set(root, byId);
    }
    return [...(byId.get(id) ?? [])];
  }
}
