import { describe, expect, it } from 'vitest';
import { FieldKind } from './field-kind.ts';
import type { FieldInfo, FrameReport } from './page-fields.ts';
import { hasLoginFields, planLogin, planNewPassword, planOtp } from './plan.ts';

type Spec = [id: string, kind: FieldKind, group?: string, fillable?: boolean];

/** A frame report from `[id, kind, group = 'g1', fillable = true]` rows, in document order. */
function report(rows: Spec[], sandboxed = false): FrameReport {
  const fields: FieldInfo[] = rows.map(([id, kind, group = 'g1', fillable = true], order) => ({
    id,
    kind,
    group,
    fillable,
    order,
  }));
  return { url: 'https://example.com/login', doc: 'doc-1', sandboxed, fields };
}

const U = FieldKind.Username;
const P = FieldKind.Password;
const N = FieldKind.NewPassword;
const O = FieldKind.Otp;
const creds = { username: 'grace', password: 'hunter2' };

describe('planLogin', () => {
  it('fills the username and password of a plain login form', () => {
    expect(
      planLogin(
        report([
          ['f1', U],
          ['f2', P],
        ]),
        creds,
      ),
    ).toEqual([
      { fieldId: 'f1', value: 'grace' },
      { fieldId: 'f2', value: 'hunter2' },
    ]);
  });

  it("fills the focused field's form, not the first one on the page", () => {
    const r = report([
      ['f1', U, 'search-login'],
      ['f2', P, 'search-login'],
      ['f3', U, 'main'],
      ['f4', P, 'main'],
    ]);
    expect(planLogin(r, creds, 'f3')).toEqual([
      { fieldId: 'f3', value: 'grace' },
      { fieldId: 'f4', value: 'hunter2' },
    ]);
    expect(planLogin(r, creds, 'f2')).toEqual([
      { fieldId: 'f1', value: 'grace' },
      { fieldId: 'f2', value: 'hunter2' },
    ]);
  });

  it('without a focus, prefers the form with a fillable password over a lone username box', () => {
    const r = report([
      ['f1', U, 'newsletter'],
      ['f2', U, 'login'],
      ['f3', P, 'login'],
    ]);
    expect(planLogin(r, creds).map((op) => op.fieldId)).toEqual(['f2', 'f3']);
  });

  it('never fills a non-fillable (honeypot) field, even one that comes first', () => {
    const r = report([
      ['trap-u', U, 'g1', false],
      ['trap-p', P, 'g1', false],
      ['f1', U],
      ['f2', P],
    ]);
    const ops = planLogin(r, creds);
    expect(ops).toEqual([
      { fieldId: 'f1', value: 'grace' },
      { fieldId: 'f2', value: 'hunter2' },
    ]);
    // Focusing a hidden field does not make its form (or itself) a target either.
    const hiddenForm = report([
      ['h1', U, 'hidden', false],
      ['h2', P, 'hidden', false],
      ['f1', U, 'real'],
      ['f2', P, 'real'],
    ]);
    expect(planLogin(hiddenForm, creds, 'h1').map((op) => op.fieldId)).toEqual(['f1', 'f2']);
  });

  it('nothing fillable means nothing planned', () => {
    expect(
      planLogin(
        report([
          ['f1', U, 'g1', false],
          ['f2', P, 'g1', false],
        ]),
        creds,
      ),
    ).toEqual([]);
  });

  it('picks the username box right before the password, not one after it', () => {
    const r = report([
      ['f1', U],
      ['f2', P],
      ['f3', U],
    ]);
    expect(planLogin(r, creds).map((op) => op.fieldId)).toEqual(['f1', 'f2']);
    const two = report([
      ['f1', U],
      ['f2', U],
      ['f3', P],
    ]);
    expect(planLogin(two, creds).map((op) => op.fieldId)).toEqual(['f2', 'f3']);
  });

  it('password-only step: only the password is written', () => {
    expect(planLogin(report([['f7', P]]), creds)).toEqual([{ fieldId: 'f7', value: 'hunter2' }]);
  });

  it('username-only step: only the username is written', () => {
    expect(planLogin(report([['f3', U]]), creds)).toEqual([{ fieldId: 'f3', value: 'grace' }]);
  });

  it('never puts the stored password into a new-password field (registration form)', () => {
    const r = report([
      ['f1', U],
      ['f2', N],
      ['f3', N],
    ]);
    const ops = planLogin(r, creds, 'f2');
    expect(ops.some((op) => op.value === 'hunter2')).toBe(false);
    expect(ops.some((op) => op.fieldId === 'f2' || op.fieldId === 'f3')).toBe(false);
  });

  it('change-password form: the stored password goes into the current-password field only', () => {
    const r = report([
      ['cur', P],
      ['new', N],
      ['confirm', N],
    ]);
    expect(planLogin(r, creds, 'new')).toEqual([{ fieldId: 'cur', value: 'hunter2' }]);
    // Even when a new-password field comes first in the form.
    const reversed = report([
      ['new', N],
      ['confirm', N],
      ['cur', P],
    ]);
    expect(planLogin(reversed, creds)).toEqual([{ fieldId: 'cur', value: 'hunter2' }]);
  });

  it('a sandboxed frame gets nothing', () => {
    expect(
      planLogin(
        report(
          [
            ['f1', U],
            ['f2', P],
          ],
          true,
        ),
        creds,
      ),
    ).toEqual([]);
    expect(
      planLogin(
        report(
          [
            ['f1', U],
            ['f2', P],
          ],
          true,
        ),
        creds,
        'f1',
      ),
    ).toEqual([]);
  });

  it('an empty username or password in the login is not written', () => {
    const r = report([
      ['f1', U],
      ['f2', P],
    ]);
    expect(planLogin(r, { username: '', password: 'hunter2' })).toEqual([
      { fieldId: 'f2', value: 'hunter2' },
    ]);
    expect(planLogin(r, { username: 'grace', password: '' })).toEqual([{ fieldId: 'f1', value: 'grace' }]);
    expect(planLogin(r, { username: '', password: '' })).toEqual([]);
  });
});

describe('planNewPassword', () => {
  it('puts the generated password into new and confirm of the focused form only', () => {
    const r = report([
      ['login-u', U, 'login'],
      ['login-p', P, 'login'],
      ['reg-u', U, 'signup'],
      ['reg-new', N, 'signup'],
      ['reg-confirm', N, 'signup'],
      ['other-new', N, 'elsewhere'],
    ]);
    expect(planNewPassword(r, 'G3n!', 'reg-new')).toEqual([
      { fieldId: 'reg-new', value: 'G3n!' },
      { fieldId: 'reg-confirm', value: 'G3n!' },
    ]);
  });

  it('never writes the generated password into a current-password field or a hidden one', () => {
    const r = report([
      ['cur', P],
      ['new', N],
      ['trap', N, 'g1', false],
      ['confirm', N],
    ]);
    expect(planNewPassword(r, 'G3n!', 'new')).toEqual([
      { fieldId: 'new', value: 'G3n!' },
      { fieldId: 'confirm', value: 'G3n!' },
    ]);
  });

  it('a sandboxed frame gets nothing', () => {
    expect(planNewPassword(report([['new', N]], true), 'G3n!', 'new')).toEqual([]);
  });
});

describe('planOtp', () => {
  it('a single code box gets the whole code', () => {
    expect(planOtp(report([['code', O]]), '123456')).toEqual([{ fieldId: 'code', value: '123456' }]);
  });

  it('six single-digit boxes get one digit each, in order', () => {
    const r = report(['d1', 'd2', 'd3', 'd4', 'd5', 'd6'].map((id): Spec => [id, O, 'otp']));
    for (const f of r.fields) f.maxLength = 1;
    expect(planOtp(r, '907153')).toEqual([
      { fieldId: 'd1', value: '9' },
      { fieldId: 'd2', value: '0' },
      { fieldId: 'd3', value: '7' },
      { fieldId: 'd4', value: '1' },
      { fieldId: 'd5', value: '5' },
      { fieldId: 'd6', value: '3' },
    ]);
  });

  it('split boxes only when there are as many as the code has digits', () => {
    const boxes = (n: number, group = 'g1') =>
      Array.from(
        { length: n },
        (_, i): FieldInfo => ({
          id: `${group}d${i}`,
          kind: O,
          group,
          fillable: true,
          order: i,
          maxLength: 1,
        }),
      );
    const frame = (fields: FieldInfo[]): FrameReport => ({
      url: 'https://example.com/',
      doc: 'doc-1',
      sandboxed: false,
      fields,
    });
    // Eight boxes, an 8-digit code: one digit each.
    expect(
      planOtp(frame(boxes(8)), '12345678')
        .map((op) => op.value)
        .join(''),
    ).toBe('12345678');
    // Six one-character boxes cannot hold an 8-digit code: nothing, rather than a wrong code.
    expect(planOtp(frame(boxes(6)), '12345678')).toEqual([]);
    // A 5-digit code and six boxes: nothing either.
    expect(planOtp(frame(boxes(6)), '12345')).toEqual([]);
    // Beside a mismatched row, a box that takes the whole code gets it.
    const single: FieldInfo = { id: 'whole', kind: O, group: 'g2', fillable: true, order: 9, maxLength: 8 };
    expect(planOtp(frame([...boxes(6), single]), '12345678')).toEqual([
      { fieldId: 'whole', value: '12345678' },
    ]);
    // A box too short for the code is not used.
    expect(planOtp(frame([{ ...single, maxLength: 6 }]), '12345678')).toEqual([]);
    // The matching row of another form is found.
    expect(planOtp(frame([...boxes(6), ...boxes(5, 'g3')]), '12345')).toHaveLength(5);
  });

  it('skips hidden code boxes and does not mix in a code box of another form', () => {
    const r = report([
      ['trap', O, 'g1', false],
      ['code', O, 'g1'],
      ['other', O, 'g2'],
    ]);
    expect(planOtp(r, '123456')).toEqual([{ fieldId: 'code', value: '123456' }]);
  });

  it('no code box or a sandboxed frame: nothing', () => {
    expect(
      planOtp(
        report([
          ['f1', U],
          ['f2', P],
        ]),
        '123456',
      ),
    ).toEqual([]);
    expect(planOtp(report([['code', O]], true), '123456')).toEqual([]);
  });
});

describe('hasLoginFields', () => {
  it('is true only with a fillable username or password field', () => {
    expect(hasLoginFields(report([['f1', U]]))).toBe(true);
    expect(hasLoginFields(report([['f1', P]]))).toBe(true);
    expect(
      hasLoginFields(
        report([
          ['f1', U, 'g1', false],
          ['f2', P, 'g1', false],
        ]),
      ),
    ).toBe(false);
    expect(
      hasLoginFields(
        report([
          ['f1', N],
          ['f2', O],
        ]),
      ),
    ).toBe(false);
    expect(hasLoginFields(report([]))).toBe(false);
  });
});
