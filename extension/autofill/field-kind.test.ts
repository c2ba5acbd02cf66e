import { describe, expect, it } from 'vitest';
import {
  classifyField,
  type FieldDescriptor,
  FieldKind,
  isIdentifierBox,
  isIdentifierStep,
} from './field-kind.ts';

/** A text input with no telling attributes; each case overrides what it is about. */
const field = (over: Partial<FieldDescriptor>): FieldDescriptor => ({
  type: 'text',
  autocomplete: '',
  name: '',
  id: '',
  label: '',
  maxLength: -1,
  inputMode: '',
  ...over,
});

const kind = (over: Partial<FieldDescriptor>, formHasPassword = true) =>
  classifyField(field(over), formHasPassword);

describe('classifyField: autocomplete tokens win', () => {
  it('autocomplete=username is a username even when its words look like something else', () => {
    expect(kind({ autocomplete: 'username', name: 'search_query', label: 'Search' })).toBe(
      FieldKind.Username,
    );
    expect(kind({ autocomplete: 'username', name: 'coupon' }, false)).toBe(FieldKind.Username);
  });

  it('reads the token after a section-* prefix and is case-insensitive', () => {
    expect(kind({ autocomplete: 'section-x username', name: 'q' })).toBe(FieldKind.Username);
    expect(kind({ autocomplete: 'section-login  USERNAME', name: 'q' }, false)).toBe(FieldKind.Username);
  });

  it('current-password beats "new" words and new-password beats "current" words', () => {
    expect(kind({ type: 'password', autocomplete: 'current-password', name: 'new_password' })).toBe(
      FieldKind.Password,
    );
    expect(kind({ type: 'password', autocomplete: 'new-password', name: 'current_password' })).toBe(
      FieldKind.NewPassword,
    );
    expect(kind({ type: 'password', autocomplete: 'section-signup new-password', name: 'pw' })).toBe(
      FieldKind.NewPassword,
    );
  });

  it('one-time-code wins over everything, the field type included', () => {
    expect(kind({ autocomplete: 'one-time-code', name: 'username' })).toBe(FieldKind.Otp);
    expect(kind({ type: 'password', autocomplete: 'one-time-code', name: 'password' })).toBe(FieldKind.Otp);
    expect(kind({ type: 'tel', autocomplete: 'one-time-code' }, false)).toBe(FieldKind.Otp);
  });
});

describe('classifyField: password heuristics', () => {
  it('a plain password box is a (current) password', () => {
    expect(kind({ type: 'password', name: 'password', label: 'Password' })).toBe(FieldKind.Password);
    expect(kind({ type: 'password' })).toBe(FieldKind.Password);
  });

  it('current/old/existing words make a current password', () => {
    expect(kind({ type: 'password', name: 'current_password' })).toBe(FieldKind.Password);
    expect(kind({ type: 'password', id: 'oldPassword' })).toBe(FieldKind.Password);
    expect(kind({ type: 'password', label: 'Existing password' })).toBe(FieldKind.Password);
    // Wins over a "new" word beside it (a re-authentication prompt, not a registration).
    expect(kind({ type: 'password', name: 'current_password', label: 'Verify your current password' })).toBe(
      FieldKind.Password,
    );
  });

  it('new/confirm/repeat words make a new password', () => {
    expect(kind({ type: 'password', name: 'new_password' })).toBe(FieldKind.NewPassword);
    expect(kind({ type: 'password', name: 'password_confirmation' })).toBe(FieldKind.NewPassword);
    expect(kind({ type: 'password', label: 'Repeat password' })).toBe(FieldKind.NewPassword);
    expect(kind({ type: 'password', label: 'Choose a password' })).toBe(FieldKind.NewPassword);
  });
});

describe('classifyField: usernames in a form with a password', () => {
  it('type=email is the username', () => {
    expect(kind({ type: 'email', name: 'f1' })).toBe(FieldKind.Username);
  });

  it('login-ish names and labels are the username', () => {
    expect(kind({ name: 'username' })).toBe(FieldKind.Username);
    expect(kind({ name: 'j_id42', label: 'E-mail' })).toBe(FieldKind.Username);
    expect(kind({ id: 'loginId' })).toBe(FieldKind.Username);
    expect(kind({ autocomplete: 'email', name: 'x' })).toBe(FieldKind.Username);
  });

  it('"Email address" / "Email or phone" labels do not make a login identifier a postal or phone field', () => {
    // The most common login labels there are: "address" and "phone" (NOT_LOGIN words) must not win
    // over type=email, autocomplete=email or an identifier name.
    expect(kind({ type: 'email', name: 'email', label: 'Email address' })).toBe(FieldKind.Username);
    expect(kind({ type: 'email', autocomplete: 'email', name: 'email', label: 'Email address' })).toBe(
      FieldKind.Username,
    );
    expect(kind({ name: 'login', label: 'Email or phone number' })).toBe(FieldKind.Username);
    expect(kind({ type: 'email', id: 'identifierId', label: 'Email or phone' }, false)).toBe(
      FieldKind.Username,
    );
  });

  it('a text box with no telling words beside a password is not guessed here', () => {
    expect(kind({ name: 'j_id42' })).toBe(FieldKind.Other);
  });
});

describe('classifyField: without a password in the form', () => {
  it('a lone email box (newsletter signup) is other', () => {
    expect(kind({ type: 'email', name: 'email', label: 'Your email' }, false)).toBe(FieldKind.Other);
    expect(kind({ type: 'email', name: 'newsletter_email', label: 'Subscribe' }, false)).toBe(
      FieldKind.Other,
    );
    expect(kind({ type: 'email', autocomplete: 'email', name: 'email' }, false)).toBe(FieldKind.Other);
  });

  it('a lone box that names itself a username (step 1 of a multi-step login) is a username', () => {
    expect(kind({ autocomplete: 'username', type: 'email', name: 'email' }, false)).toBe(FieldKind.Username);
    expect(kind({ name: 'username' }, false)).toBe(FieldKind.Username);
    expect(kind({ type: 'email', id: 'identifierId', label: 'Email' }, false)).toBe(FieldKind.Username);
  });
});

describe('classifyField: not login fields', () => {
  it('search, coupon and zip boxes are other, even in a form with a password', () => {
    expect(kind({ name: 'q', label: 'Search' })).toBe(FieldKind.Other);
    expect(kind({ name: 'coupon_code' })).toBe(FieldKind.Other);
    expect(kind({ name: 'promo', label: 'Promo' })).toBe(FieldKind.Other);
    expect(kind({ name: 'zip', label: 'ZIP' })).toBe(FieldKind.Other);
    expect(kind({ name: 'user_zip' }, false)).toBe(FieldKind.Other);
  });

  it('non-text input types are other whatever their names say', () => {
    expect(kind({ type: 'checkbox', name: 'remember_login' })).toBe(FieldKind.Other);
    expect(kind({ type: 'date', name: 'username' })).toBe(FieldKind.Other);
    expect(kind({ type: 'radio', name: 'account' })).toBe(FieldKind.Other);
  });
});

describe('classifyField: one-time codes', () => {
  it('a box named for a code is otp', () => {
    expect(kind({ name: 'otp' }, false)).toBe(FieldKind.Otp);
    expect(kind({ label: 'Verification code', inputMode: 'numeric' }, false)).toBe(FieldKind.Otp);
    expect(kind({ name: 'totp' })).toBe(FieldKind.Otp);
  });

  it('one box of a split code (one numeric character) is otp', () => {
    expect(kind({ maxLength: 1, inputMode: 'numeric' }, false)).toBe(FieldKind.Otp);
    expect(kind({ type: 'tel', maxLength: 1 }, false)).toBe(FieldKind.Otp);
    expect(kind({ type: 'number', maxLength: 1 })).toBe(FieldKind.Otp);
  });

  it('a single-character box that is not numeric is not a code box', () => {
    expect(kind({ maxLength: 1 }, false)).toBe(FieldKind.Other);
    expect(kind({ maxLength: 6, inputMode: 'numeric' }, false)).toBe(FieldKind.Other);
    // No maxlength attribute (input.maxLength is -1): a numeric box, not one box of a split code.
    expect(kind({ inputMode: 'numeric' }, false)).toBe(FieldKind.Other);
  });
});

describe('classifyField: a code in a password box is never a password target', () => {
  it.each([
    ['Security key code', 'code'],
    ['Verification code', 'vcode'],
    ['Enter the 6-digit code from your authenticator (2FA)', 'code'],
    ['Device verification code', 'device_code'],
    ['One-time password', 'pw'],
    ['Backup code', 'backup'],
    ['Code de vérification', 'code'],
    ['Bestätigungscode', 'code'],
    ['Código de verificación', 'codigo'],
    ['Код подтверждения', 'code'],
    ['验证码', 'code'],
    ['認証コード', 'code'],
    ['인증 코드', 'code'],
  ])('%s (type=password) is a code box', (label, name) => {
    expect(kind({ type: 'password', label, name })).toBe(FieldKind.Otp);
  });

  it('also when its name says so, or it is marked current-password', () => {
    expect(kind({ type: 'password', name: 'totp_code' })).toBe(FieldKind.Otp);
    expect(kind({ type: 'password', name: 'mfa', autocomplete: 'current-password' })).toBe(FieldKind.Otp);
    expect(kind({ type: 'text', label: 'Security code', autocomplete: 'current-password' })).toBe(
      FieldKind.Otp,
    );
  });

  it('a password box named passcode, PIN or token stays a password (some sites call the password so)', () => {
    expect(kind({ type: 'password', label: 'Passcode' })).toBe(FieldKind.Password);
    expect(kind({ type: 'password', label: 'PIN' })).toBe(FieldKind.Password);
    expect(kind({ type: 'password', name: 'token' })).toBe(FieldKind.Password);
    expect(kind({ type: 'password', label: 'Password' })).toBe(FieldKind.Password);
  });
});

describe('identifier steps (email-first and identifier-first logins)', () => {
  it.each<Partial<FieldDescriptor>>([
    { type: 'email', name: 'email' },
    { type: 'text', label: 'Email address' },
    { type: 'text', autocomplete: 'email' },
    { type: 'text', autocomplete: 'username' },
    { type: 'text', id: 'identifier' },
    { type: 'text', label: 'User ID' },
    { type: 'tel', name: 'login' },
  ])('%o can be an identifier box', (d) => {
    expect(isIdentifierBox(field(d))).toBe(true);
  });

  it.each<Partial<FieldDescriptor>>([
    { type: 'email', name: 'newsletter' },
    { type: 'email', label: 'Subscribe to our list' },
    { type: 'search', name: 'q' },
    { type: 'text', name: 'q', label: 'Search' },
    { type: 'text', label: 'City' },
    { type: 'text', name: 'first_name' },
    { type: 'checkbox', name: 'email' },
    { type: 'text', label: 'Verification code' },
  ])('%o never is', (d) => {
    expect(isIdentifierBox(field(d))).toBe(false);
  });

  it.each([
    ['Next', ''],
    ['Continue', ''],
    ['Sign in', ''],
    ['Log in', ''],
    ['Weiter', ''],
    ['Suivant', ''],
    ['Siguiente', ''],
    ['Далее', ''],
    ['下一步', ''],
    ['次へ', ''],
    ['다음', ''],
    ['', 'Sign in – Example'],
    ['', 'Anmelden'],
  ])('button %j, title %j: a login step', (buttons, title) => {
    expect(isIdentifierStep(buttons, title)).toBe(true);
  });

  it.each([
    ['Subscribe', 'Sign in'],
    ['Join the list', 'Sign in'],
    ['Search', 'Log in'],
    ['Sign up', ''],
    ['Go', 'Sign in'],
    ['', 'Our blog'],
    ['Send', 'Contact'],
  ])('button %j, title %j: not a login step', (buttons, title) => {
    expect(isIdentifierStep(buttons, title)).toBe(false);
  });

  it('a lone email box alone is still Other by its own attributes (the group decides)', () => {
    expect(classifyField(field({ type: 'email', name: 'email' }), false)).toBe(FieldKind.Other);
  });
});
