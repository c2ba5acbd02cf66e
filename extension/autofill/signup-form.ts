import { CONFIRM_PASSWORD, type FieldDescriptor, FieldKind, isCurrentPassword } from './field-kind.ts';

/**
 * Sign-up or login: whether a form's password boxes ask for a new password, judged from every
 * signal the form gives (issue 13, class 10). Pure functions over a small descriptor, so the rules
 * are unit-tested in Node; collect.ts builds the descriptor from the DOM. Invariants:
 * - a box that asks for the current password (token or words) is never made new, and a form that
 *   has one is not a sign-up (a change-password form keeps its current box);
 * - strong rules first: two visible password boxes in one `<form>` with no current one, or a box
 *   right before a confirmation box ("Repeat password"), are new passwords;
 * - otherwise a weighted sum of multilingual word signals (buttons, form attributes, page title,
 *   name/birthday/phone/terms fields, a second email; "Forgot password?", "Remember me" and login
 *   buttons count against) decides, with SIGNUP_THRESHOLD; no signal at all stays a login.
 * Word lists cover en, de, fr, es, ru, zh, ja, ko, fa and are regexes to keep the content script small.
 */

export interface FormDescriptor {
  /** The visible password boxes (kinds Password / NewPassword), in document order. */
  passwords: FieldDescriptor[];
  /** The other inputs, checkboxes and selects of the form (`type` says which). */
  others: FieldDescriptor[];
  /** Text, value and aria-label of its buttons; '' outside a form. */
  buttons: string;
  /** Text of the links in and around it: read only for "forgot password"-like words. */
  links: string;
  /** The form element's action, id, name and class; '' for inputs outside any form. */
  form: string;
  /** `document.title`. */
  title: string;
}

const SIGNUP =
  /reg[ií]st|sign.?up|creat.{0,15}account|new.?account|join|get.?started|enrol|inscri|cr[ée]er.{0,12}compte|crear.{0,10}cuenta|[úu]nete|konto.{0,10}(?:erstell|anleg)|регистр|создать.{0,12}(?:аккаунт|уч[её]тн)|注册|註冊|创建.{0,3}[账帐]|建立.{0,3}帳|登録|サインアップ|アカウント.{0,3}作成|가입|계정.{0,3}만들|등록|ثبت.?نام|عضویت|ایجاد.{0,3}حساب/i;
const LOGIN =
  /log.?[io]n(?!g)|sign.?in(?!g)|anmeld|einlogg|connexion|se connecter|identifi|iniciar.?sesi|entrar|acceder|войти|вход|登录|登入|登錄|ログイン|サインイン|로그인|ورود/i;
/** "Forgot password?", "Remember me", "Stay signed in": a login form's furniture. */
const LOGIN_AIDS =
  /forgot|reset|remember|keep me|stay signed|vergessen|angemeldet bleiben|oubli|souvenir|olvid|recordar|забыл|запомн|忘|记住|記住|保持|(?:비밀번호|아이디).?찾기|잊|자동.?로그인|فراموش|به خاطر/i;
const TERMS =
  /term|agree|accept|consent|condition|privacy|polic|agb|datenschutz|einverst|akzept|cgu|t[ée]rmino|acepto|услови|соглас|同意|条款|條款|規約|약관|동의|قوانین|شرایط|موافق/i;
const NAME =
  /\bname\b|first.?name|last.?name|full.?name|fname|lname|surname|vorname|nachname|pr[ée]nom|apellido|имя|фамил|姓名|名字|氏名|名前|이름|성명|نام خانوادگی/i;
/** Words that make a "name" a login name, not a person's. */
const USER = /user|login|nick|benutzer|utilisateur|usuario|пользоват|用户|用戶|ユーザー|사용자|아이디|کاربر/i;
const BIRTH =
  /bday|birth|\bdob\b|geburt|naissance|nacimiento|рожд|生日|出生|生年月日|誕生日|생년월일|생일|تولد/i;
const PHONE = /\btel\b|phone|mobil|handy|tel[ée]f|телефон|手机|電話|电话|携帯|휴대폰|전화|تلفن|موبایل/i;
const EMAIL = /e-?mail/i;

/** Score from which a form is a sign-up. One strong signal (a sign-up button) reaches it alone. */
export const SIGNUP_THRESHOLD = 3;

const words = (d: FieldDescriptor) => `${d.autocomplete} ${d.name} ${d.id} ${d.label}`;

/** Sign-up words count for, login words against; a text with both counts for nothing. */
const vote = (text: string, weight: number) =>
  (SIGNUP.test(text) ? weight : 0) - (LOGIN.test(text) ? weight : 0);

/** The weighted sum of the form's sign-up signals (negative: it looks like a login). */
export function signupScore(f: FormDescriptor): number {
  let score = vote(f.buttons, 6) + vote(f.form, 3) + vote(f.title, 3);
  if (LOGIN_AIDS.test(`${f.links} ${f.buttons}`)) score -= 4;
  let name = 0;
  let birth = 0;
  let phone = 0;
  let terms = 0;
  let remember = 0;
  let emails = 0;
  for (const d of f.others) {
    const w = words(d);
    if (d.type === 'checkbox') {
      if (LOGIN_AIDS.test(w)) remember = -4;
      else if (TERMS.test(w)) terms = 3;
      continue;
    }
    if (d.type === 'email' || EMAIL.test(w)) emails++;
    else if (NAME.test(w) && !USER.test(w)) name = 2;
    if (BIRTH.test(w)) birth = 2;
    if (d.type === 'tel' || PHONE.test(w)) phone = 1;
  }
  return score + name + birth + phone + terms + remember + (emails > 1 ? 3 : 0);
}

/** Whether the form is for creating an account (see the module comment for the rules). */
export function isSignupForm(f: FormDescriptor): boolean {
  if (f.passwords.some(isCurrentPassword)) return false;
  if (f.form !== '' && f.passwords.length > 1) return true;
  return signupScore(f) >= SIGNUP_THRESHOLD;
}

/**
 * The kinds of `f.passwords`, given their kinds from their own attributes (`kinds`, same order):
 * in a sign-up form every box that is not a current password is a new one, and anywhere a box
 * followed by a confirmation box is the new password that box repeats.
 */
export function passwordKinds(f: FormDescriptor, kinds: FieldKind[]): FieldKind[] {
  const signup = isSignupForm(f);
  return kinds.map((kind, i) => {
    const d = f.passwords[i] as FieldDescriptor;
    const next = f.passwords[i + 1];
    if (kind !== FieldKind.Password || isCurrentPassword(d)) return kind;
    return signup || (next && CONFIRM_PASSWORD.test(words(next))) ? FieldKind.NewPassword : kind;
  });
}
