// <ds-input id name type label shadow="open|closed" [fade] [trap]>: a design-system input whose
// <input> lives in the component's own shadow root (open or closed), as component libraries build
// them. `fade`: the content is transparent until the first press on any fading component, then
// fades in over 250 ms (components that hydrate on interaction). `trap`: transparent for good (a
// honeypot). `window.readFields()` returns each component's value keyed by its host id; every
// focus logs `focus <host id> <opacity of the content at that moment>`.
(() => {
  window.log = window.log ?? [];
  const roots = new Map(); // host → its shadow root, the only reference to the closed ones
  class DsInput extends HTMLElement {
    connectedCallback() {
      if (roots.has(this)) return;
      const root = this.attachShadow({ mode: this.getAttribute('shadow') === 'closed' ? 'closed' : 'open' });
      roots.set(this, root);
      root.innerHTML = `<style>
          :host { display: block; width: 280px; margin: 0 0 8px; }
          input { width: 100%; box-sizing: border-box; }
          :host([fade]) .box, :host([trap]) .box { opacity: 0; }
          :host([fade].in) .box { opacity: 1; transition: opacity 250ms linear; }
        </style>
        <div class="box"><input></div>`;
      const input = root.querySelector('input');
      input.type = this.getAttribute('type') ?? 'text';
      input.name = this.getAttribute('name') ?? '';
      input.setAttribute('aria-label', this.getAttribute('label') ?? '');
      input.addEventListener('focus', () => {
        const opacity = getComputedStyle(root.querySelector('.box')).opacity;
        window.log.push(`focus ${this.id} ${opacity}`);
      });
      if (this.hasAttribute('fade')) {
        this.addEventListener('pointerdown', () => {
          for (const el of document.querySelectorAll('ds-input[fade]')) el.classList.add('in');
        });
      }
    }
  }
  customElements.define('ds-input', DsInput);
  window.readFields = () => {
    const values = {};
    for (const [host, root] of roots) values[host.id] = root.querySelector('input').value;
    return values;
  };
})();
