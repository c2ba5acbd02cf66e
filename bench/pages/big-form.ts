/**
 * A "big form" page: 2,000 inputs of mixed types in 40 sections (forms and formless blocks),
 * nested divs, labels by `for`, by wrapping and by aria-label, a fifth of the sections inside
 * open shadow roots (declarative shadow DOM), and five login-like sections with a password.
 */

const SECTIONS = 40;
const PER_SECTION = 50;
export const BIG_FORM_INPUTS = SECTIONS * PER_SECTION;

const CYCLE = ['text', 'text', 'email', 'tel', 'number', 'checkbox', 'radio', 'hidden', 'date', 'text'];
const LABELS = ['Title', 'Company', 'Email', 'Phone', 'Quantity', 'Subscribe', 'Option', '', 'Date', 'Notes'];

function field(s: number, j: number, login: boolean): string {
  const id = `s${s}-f${j}`;
  let type = CYCLE[j % CYCLE.length] as string;
  let label = `${LABELS[j % LABELS.length]} ${j}`;
  let extra = '';
  if (j === PER_SECTION - 1) type = 'submit';
  if (login && j === 0) {
    label = 'Login';
    extra = ' autocomplete="username"';
  }
  if (login && j === 1) {
    type = 'password';
    label = 'Password';
    extra = ' autocomplete="current-password"';
  }
  if (type === 'hidden') return `<input type="hidden" name="${id}" value="${s * j}">`;
  if (type === 'submit') return `<div class="actions"><input type="submit" value="Save section ${s}"></div>`;
  const input = `<input type="${type}" id="${id}" name="${id}"${extra}`;
  const hint = j % 7 === 0 ? `<span class="hint">Hint for ${label}</span>` : '';
  switch (j % 3) {
    case 0:
      return `<div class="field"><label for="${id}">${label}</label>${input}>${hint}</div>`;
    case 1:
      return `<div class="field"><label>${label} ${input}></label>${hint}</div>`;
    default:
      return `<div class="field">${input} aria-label="${label}" placeholder="${label}">${hint}</div>`;
  }
}

function section(s: number): string {
  const login = s % 8 === 3;
  const groups: string[] = [];
  for (let g = 0; g < PER_SECTION; g += 10) {
    const rows: string[] = [];
    for (let j = g; j < g + 10; j++) rows.push(`<div class="row">${field(s, j, login)}</div>`);
    groups.push(`<fieldset class="group"><legend>Group ${g / 10 + 1}</legend>${rows.join('')}</fieldset>`);
  }
  const body = `<h2>Section ${s}</h2><div class="cols">${groups.join('')}</div>`;
  const block = s % 2 === 0 ? `<form action="/save/${s}" method="post">${body}</form>` : `<div>${body}</div>`;
  if (s % 5 === 4) {
    return `<x-panel><template shadowrootmode="open"><div class="section">${block}</div></template></x-panel>`;
  }
  return `<div class="section">${block}</div>`;
}

export function bigFormHtml(): string {
  const sections: string[] = [];
  for (let s = 0; s < SECTIONS; s++) sections.push(section(s));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Big form</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 1rem; }
  .cols { display: grid; grid-template-columns: repeat(5, 1fr); gap: .5rem; }
  .field { display: flex; gap: .25rem; align-items: center; }
  .hint { color: #777; font-size: 12px; }
</style></head>
<body><h1>Account settings</h1><main>${sections.join('\n')}</main></body></html>`;
}
