import { describe, expect, it } from 'vitest';
import { classifyField, type FieldDescriptor, FieldKind } from './field-kind.ts';
import { type FormDescriptor, isSignupForm, passwordKinds, signupScore } from './signup-form.ts';

/** A field with no telling attributes; each case overrides what it is about. */
const f = (over: Partial<FieldDescriptor>): FieldDescriptor => ({
  type: 'text',
  autocomplete: '',
  name: '',
  id: '',
  label: '',
  maxLength: -1,
  inputMode: '',
  ...over,
});
const pw = (label = 'Password', over: Partial<FieldDescriptor> = {}) =>
  f({ type: 'password', name: 'password', label, ...over });
const box = (label: string) => f({ type: 'checkbox', label });
const form = (over: Partial<FormDescriptor>): FormDescriptor => ({
  passwords: [pw()],
  others: [f({ type: 'email', name: 'email', label: 'Email' })],
  buttons: '',
  links: '',
  form: '',
  title: '',
  ...over,
});
/** The kinds the form's password boxes end up with. */
const kinds = (d: FormDescriptor) =>
  passwordKinds(
    d,
    d.passwords.map((p) => classifyField(p, true)),
  );
const N = FieldKind.NewPassword;
const P = FieldKind.Password;

const signups: [string, FormDescriptor][] = [
  [
    'en: name, terms checkbox, "Create account", no autocomplete',
    form({
      others: [
        f({ name: 'fullname', label: 'Your name' }),
        f({ name: 'email', label: 'Email' }),
        box('I agree to the Terms'),
      ],
      buttons: 'Create account',
    }),
  ],
  ['en: only a "Sign up" button', form({ buttons: 'Sign up' })],
  ['en: form action /register', form({ form: '/users/register  ', buttons: 'Continue' })],
  [
    'en: title only, with a name and a phone field',
    form({ title: 'Join Acme', others: [f({ type: 'tel', label: 'Mobile' })] }),
  ],
  [
    'en: email and confirm email',
    form({
      others: [
        f({ type: 'email', name: 'email' }),
        f({ type: 'email', name: 'email2', label: 'Confirm email' }),
      ],
    }),
  ],
  [
    'zh: 手机号 + 注册',
    form({ others: [f({ name: 'mobile', label: '手机号' })], buttons: '立即注册', title: '注册 - 示例' }),
  ],
  ['zh-TW: 建立帳戶', form({ buttons: '建立帳戶' })],
  [
    'ja: 会員登録, 氏名, 生年月日',
    form({ others: [f({ label: '氏名' }), f({ label: '生年月日' })], buttons: '会員登録する' }),
  ],
  ['ja: アカウントを作成', form({ buttons: 'アカウントを作成' })],
  [
    'de: Registrieren, Vorname, AGB',
    form({ others: [f({ label: 'Vorname' }), box('Ich akzeptiere die AGB')], buttons: 'Registrieren' }),
  ],
  ['de: Konto erstellen', form({ buttons: 'Konto erstellen', title: 'Anmelden oder registrieren' })],
  ['fr: Créer un compte, prénom', form({ others: [f({ label: 'Prénom' })], buttons: 'Créer un compte' })],
  ['fr: S’inscrire, CGU', form({ others: [box("J'accepte les CGU")], buttons: "S'inscrire" })],
  ['ru: Зарегистрироваться', form({ others: [f({ label: 'Имя' })], buttons: 'Зарегистрироваться' })],
  ['fa: ثبت نام', form({ buttons: 'ثبت نام', title: 'ثبت نام' })],
  ['fa: نام خانوادگی + قوانین', form({ others: [f({ label: 'نام خانوادگی' }), box('قوانین را می‌پذیرم')] })],
  ['ko: 회원가입, 약관 동의', form({ others: [box('이용약관 동의')], buttons: '회원가입' })],
  ['es: Crear cuenta, apellido', form({ others: [f({ label: 'Apellido' })], buttons: 'Crear cuenta' })],
  ['es: Regístrate', form({ buttons: 'Regístrate' })],
  ['a sign-up button on a page titled "Log in"', form({ buttons: 'Register', title: 'Log in | Acme' })],
];

const logins: [string, FormDescriptor][] = [
  ['en: bare email + password, no signal', form({})],
  [
    'en: "Sign in", "Forgot password?", "Remember me"',
    form({
      others: [f({ name: 'email' }), box('Remember me')],
      buttons: 'Sign in',
      links: 'Forgot password? Create an account',
    }),
  ],
  [
    'en: login form on a page titled "Sign up or log in"',
    form({ title: 'Sign up or log in', buttons: 'Continue' }),
  ],
  [
    'en: a login form with both "Log in" and "Create account" buttons',
    form({ buttons: 'Log in Create account', links: 'Forgot your password?' }),
  ],
  [
    'en: "Login" page whose nav links say Register',
    form({ title: 'Login', links: 'Register Forgot password' }),
  ],
  [
    'en: username field named "Login name"',
    form({ others: [f({ label: 'Login name' })], buttons: 'Log on' }),
  ],
  ['en: "Signing in" title', form({ title: 'Signing in to Acme' })],
  [
    'zh: 登录, 忘记密码',
    form({ others: [f({ label: '手机号/邮箱' })], buttons: '登录', links: '忘记密码？ 免费注册' }),
  ],
  [
    'ja: ログイン, ログイン状態を保持',
    form({ others: [box('ログイン状態を保持する')], buttons: 'ログイン', links: 'パスワードをお忘れの方' }),
  ],
  [
    'de: Anmelden, Passwort vergessen',
    form({ buttons: 'Anmelden', links: 'Passwort vergessen? Jetzt registrieren' }),
  ],
  [
    'fr: Se connecter, mot de passe oublié',
    form({ buttons: 'Se connecter', links: 'Mot de passe oublié ?' }),
  ],
  ['ru: Войти, Забыли пароль', form({ buttons: 'Войти', links: 'Забыли пароль?' })],
  ['fa: ورود', form({ others: [f({ label: 'نام کاربری' })], buttons: 'ورود' })],
  [
    'ko: 로그인, 비밀번호 찾기',
    form({ others: [f({ label: '사용자 이름' })], buttons: '로그인', links: '비밀번호 찾기 회원가입' }),
  ],
  ['es: Iniciar sesión, olvidaste', form({ buttons: 'Iniciar sesión', links: '¿Olvidaste tu contraseña?' })],
  [
    'a phone number as the login',
    form({ others: [f({ type: 'tel', label: 'Phone number' })], buttons: 'Next' }),
  ],
];

describe('isSignupForm: sign-up forms in many languages', () => {
  it.each(signups)('%s', (_name, d) => {
    expect(isSignupForm(d)).toBe(true);
    expect(kinds(d)).toEqual(d.passwords.map(() => N));
  });
});

describe('isSignupForm: login forms stay login forms', () => {
  it.each(logins)('%s', (_name, d) => {
    expect(isSignupForm(d)).toBe(false);
    expect(kinds(d)).toEqual(d.passwords.map(() => P));
  });
});

describe('strong rules', () => {
  it('two visible password boxes in one form, neither current: both new, whatever their words', () => {
    const d = form({ passwords: [pw('Password'), pw('Password')], form: ' ', buttons: 'Sign in' });
    expect(kinds(d)).toEqual([N, N]);
    // German "Passwort wiederholen" and Chinese 确认密码 are confirmation words too.
    expect(kinds(form({ passwords: [pw('Passwort'), pw('Passwort wiederholen')], form: ' ' }))).toEqual([
      N,
      N,
    ]);
  });

  it('a change-password form keeps its current box: only the others are new', () => {
    const d = form({
      passwords: [pw('Current password'), pw('Password'), pw('Confirm password')],
      form: '/account/password',
      buttons: 'Register',
    });
    expect(isSignupForm(d)).toBe(false);
    expect(kinds(d)).toEqual([P, N, N]);
    const token = form({
      passwords: [pw('Password', { autocomplete: 'current-password' }), pw('x')],
      form: ' ',
    });
    expect(kinds(token)).toEqual([P, P]);
  });

  it('outside a form two boxes are not enough, but a box before a confirmation box is new', () => {
    // A page with a formless login and a formless registration: the login box stays a login.
    const d = form({ passwords: [pw('Password'), pw('Password'), pw('Confirm password')] });
    expect(kinds(d)).toEqual([P, N, N]);
    expect(kinds(form({ passwords: [pw('密码'), pw('确认密码')] }))).toEqual([N, N]);
    expect(kinds(form({ passwords: [pw('رمز عبور'), pw('تکرار رمز عبور')] }))).toEqual([N, N]);
  });

  it('leaves one-time-code boxes alone, in a sign-up too', () => {
    const d = form({ passwords: [pw('Password')], buttons: 'Sign up' });
    expect(passwordKinds(d, [FieldKind.Otp])).toEqual([FieldKind.Otp]);
  });
});

describe('signupScore', () => {
  it('counts each kind of signal once and lets login furniture pull a form down', () => {
    const one = form({ others: [f({ label: 'First name' }), f({ label: 'Last name' })] });
    expect(signupScore(one)).toBe(2);
    expect(signupScore(form({ links: 'Forgot password?' }))).toBe(-4);
    expect(
      signupScore(form({ buttons: 'Sign up', links: 'Forgot password?', others: [box('Remember me')] })),
    ).toBe(-2);
  });

  it('a username label is not a person’s name', () => {
    expect(signupScore(form({ others: [f({ name: 'username', label: 'User name' })] }))).toBe(0);
  });
});

describe('classifyField: multilingual new and current password words', () => {
  it.each([
    ['Passwort wiederholen', N],
    ['Neues Passwort', N],
    ['Confirmez le mot de passe', N],
    ['Nouveau mot de passe', N],
    ['Repetir contraseña', N],
    ['Повторите пароль', N],
    ['确认密码', N],
    ['パスワード（確認）', N],
    ['新しいパスワード', N],
    ['비밀번호 확인', N],
    ['تکرار رمز عبور', N],
    ['Aktuelles Passwort', P],
    ['Mot de passe actuel', P],
    ['Текущий пароль', P],
    ['当前密码', P],
    ['現在のパスワード', P],
    ['현재 비밀번호', P],
    ['Password', P],
  ] as const)('%s → %s', (label, expected) => {
    expect(classifyField(pw(label, { name: '' }), true)).toBe(expected);
  });
});
