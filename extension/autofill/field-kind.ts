/**
 * What a form field is for, decided from its attributes alone (no DOM access here, so the rules are
 * unit-tested in Node). The content script describes each input; the service worker plans on the
 * kinds. Explicit `autocomplete` tokens win over name/label heuristics, as in the HTML spec.
 */

export const FieldKind = {
  Username: 'username',
  Password: 'password',
  NewPassword: 'new-password',
  Otp: 'otp',
  Other: 'other',
} as const;
export type FieldKind = (typeof FieldKind)[keyof typeof FieldKind];

export interface FieldDescriptor {
  /** `input.type`, lower-case. */
  type: string;
  autocomplete: string;
  name: string;
  id: string;
  /** Text of the associated label(s), aria-label and placeholder, joined. */
  label: string;
  maxLength: number;
  inputMode: string;
}

const TEXTUAL = new Set(['text', 'email', 'tel', 'number', '']);
/** Never a login field, whatever else the attributes say. */
const NEVER_LOGIN = /search|query|newsletter|subscri|coupon|promo|captcha/i;
/** Other form data; yields to explicit login words ("Email or phone", "Email address"). */
const OTHER_DATA = /zip|postal|city|address|phone|first.?name|last.?name/i;
const USERNAME = /user(?:name)?|login|e-?mail|account|identifier|member|customer.?id|signin/i;
const EXPLICIT_LOGIN = /e-?mail|identifier|login|user.?name/i;
const USERNAME_STRONG = /user(?:name)?|login|identifier|account|signin/i;
const OTP =
  /\botp\b|totp|one.?time|2fa|two.?factor|mfa|verification.?code|security.?code|auth(?:entication)?.?code|passcode|token/i;
/**
 * A code the site sends or a device shows (one-time, verification, security, 2FA, hardware key),
 * in a password-type box: never a password target. Narrower than OTP: no "token", "passcode" or
 * "PIN", which some sites use for the account's password itself.
 */
const CODE_NOT_PASSWORD =
  /\botp\b|totp|one.?time|2fa|two.?factor|mfa|verification.?code|verify.?code|security.?code|auth(?:entication)?.?code|sms.?code|device.?code|security.?key|backup.?code|recovery.?code|code.?de.?(?:v[ée]rification|s[ée]curit[ée])|best[äa]tigungscode|sicherheitscode|c[óo]digo.?de.?(?:verificaci[óo]n|seguridad)|код.?(?:подтверждения|безопасности)|验证码|驗證碼|認証コード|確認コード|セキュリティコード|인증.?코드|보안.?코드/i;
/** A box that repeats the password of the box before it (en, de, fr, es, ru, zh, ja, ko, fa). */
export const CONFIRM_PASSWORD =
  /confirm|repeat|again|retype|re-?enter|wiederhol|erneut|best[äa]tig|r[ée]p[ée]t|repet|повтор|подтвер|确认|確認|重复|重複|再次|再入力|もう一度|확인|재입력|تکرار|تا[یي]ید|تأیید/i;
const NEW_PASSWORD = new RegExp(
  `${CONFIRM_PASSWORD.source}|new|verify|create|choose|neue|nouve|nuev|нов|新|새|جدید`,
  'i',
);
const CURRENT_PASSWORD =
  /current|old|existing|aktuell|bisherig|\baltes?\b|actuel|ancien|actual|текущ|стар|当前|現在|旧|舊|현재|기존|فعلی|قبلی/i;

const tokens = (autocomplete: string) => autocomplete.toLowerCase().split(/\s+/).filter(Boolean);

/**
 * Classifies one field. `formHasPassword` says whether its form (or, outside any form, its page
 * section) has a password field: a lone email box is a newsletter signup unless its attributes
 * name it a username (the first step of a multi-step login does).
 */
export function classifyField(d: FieldDescriptor, formHasPassword: boolean): FieldKind {
  const ac = tokens(d.autocomplete);
  const words = `${d.name} ${d.id} ${d.label}`;
  if (ac.includes('one-time-code')) return FieldKind.Otp;
  // A verification code in a masked box (or one marked as a password): its words say what it is.
  const passwordLike =
    d.type === 'password' || ac.includes('current-password') || ac.includes('new-password');
  if (passwordLike && CODE_NOT_PASSWORD.test(words)) return FieldKind.Otp;
  // A "show password" toggle turns the input into type=text; its autocomplete token still says.
  if (ac.includes('current-password')) return FieldKind.Password;
  if (ac.includes('new-password')) return FieldKind.NewPassword;
  if (d.type === 'password') {
    if (ac.includes('new-password')) return FieldKind.NewPassword;
    if (ac.includes('current-password')) return FieldKind.Password;
    if (CURRENT_PASSWORD.test(words)) return FieldKind.Password;
    if (NEW_PASSWORD.test(words)) return FieldKind.NewPassword;
    return FieldKind.Password;
  }
  if (!TEXTUAL.has(d.type)) return FieldKind.Other;
  if (ac.includes('username') || ac.includes('webauthn')) return FieldKind.Username;
  if (isOtpLike(d, words)) return FieldKind.Otp;
  if (NEVER_LOGIN.test(words)) return FieldKind.Other;
  // No password beside it: only a field that names itself a login identifier (multi-step step 1).
  const otherData = OTHER_DATA.test(words) && !EXPLICIT_LOGIN.test(words);
  if (!formHasPassword)
    return USERNAME_STRONG.test(words) && !otherData ? FieldKind.Username : FieldKind.Other;
  if (ac.includes('email') || d.type === 'email') return FieldKind.Username;
  if (otherData) return FieldKind.Other;
  return USERNAME.test(words) ? FieldKind.Username : FieldKind.Other;
}

/**
 * A box that could be the identifier step of an email-first or identifier-first login: textual,
 * named for an email or a login name by its autocomplete token, type or words, and not a search,
 * newsletter or other-data box. Only a candidate: `classifyGroup` also wants it alone in its group
 * and a next/sign-in button or title (`isIdentifierStep`).
 */
export function isIdentifierBox(d: FieldDescriptor): boolean {
  if (!TEXTUAL.has(d.type)) return false;
  const ac = tokens(d.autocomplete);
  const words = `${d.name} ${d.id} ${d.label}`;
  if (NEVER_LOGIN.test(words) || isOtpLike(d, words)) return false;
  if (ac.includes('username') || ac.includes('email') || d.type === 'email') return true;
  if (EXPLICIT_LOGIN.test(words)) return true;
  return USERNAME_STRONG.test(words) && !OTHER_DATA.test(words);
}

/** A button that moves a login on: next, continue, sign in, log in (en, de, fr, es, ru, zh, ja, ko, fa). */
const STEP_BUTTON =
  /next|continue|sign.?in(?!g)|log.?[io]n(?!g)|weiter|anmeld|suivant|continuer|connexion|se connecter|siguiente|continuar|iniciar.?sesi|далее|продолж|войти|下一步|继续|繼續|登录|登入|次へ|続行|ログイン|サインイン|다음|계속|로그인|بعدی|ادامه|ورود/i;
/** A page title that says sign in / log in. */
const LOGIN_TITLE =
  /sign.?in(?!g)|log.?[io]n(?!g)|anmeld|connexion|se connecter|iniciar.?sesi|войти|вход|登录|登入|ログイン|サインイン|로그인|ورود/i;

/**
 * Whether a group with one identifier box and no password is a login step: its buttons say next,
 * continue, sign in or log in — or, with no button text at all, the page title says sign in. A
 * button that subscribes or searches refuses it whatever the title says.
 */
export function isIdentifierStep(buttons: string, title: string): boolean {
  if (NEVER_LOGIN.test(buttons) || /sign.?up|regist|join/i.test(buttons)) return false;
  return buttons.trim() === '' ? LOGIN_TITLE.test(title) : STEP_BUTTON.test(buttons);
}

/** A password box that asks for the password the user has now (token, or current/old words). */
export function isCurrentPassword(d: FieldDescriptor): boolean {
  const ac = tokens(d.autocomplete);
  if (ac.includes('current-password')) return true;
  return !ac.includes('new-password') && CURRENT_PASSWORD.test(`${d.name} ${d.id} ${d.label}`);
}

function isOtpLike(d: FieldDescriptor, words: string): boolean {
  if (OTP.test(words)) return true;
  // One box of a split code: a single numeric character.
  return d.maxLength === 1 && (d.inputMode === 'numeric' || d.type === 'number' || d.type === 'tel');
}
