import { commonPasswords } from './common-passwords.ts';

export const PASSWORD_POLICY_NAMES = ['standard', 'nist'] as const;
export type PasswordPolicyName = (typeof PASSWORD_POLICY_NAMES)[number];

/** Every rule, in the contract's order (the first broken one gives the message). */
export const PASSWORD_RULES = ['MIN_LENGTH', 'MAX_LENGTH', 'UPPERCASE', 'LOWERCASE', 'DIGIT', 'SPECIAL', 'COMMON', 'CONTAINS_EMAIL', 'BREACHED'] as const;
export type PasswordRule = (typeof PASSWORD_RULES)[number];

export interface PasswordViolation {
  rule: PasswordRule;
  message: string;
}

/** What the rules in force are, for a UI to show before the user submits. */
export interface PasswordPolicyDescription {
  name: PasswordPolicyName;
  minLength: number;
  /** bcrypt reads at most 72 bytes; longer passwords are refused, never truncated. */
  maxBytes: number;
  requireUppercase: boolean;
  requireLowercase: boolean;
  requireDigit: boolean;
  requireSpecial: boolean;
  rejectCommon: boolean;
  rejectEmail: boolean;
  /** New passwords are looked up in a breach corpus (BREACHED_PASSWORDS). */
  rejectBreached: boolean;
  /** How many latest passwords (the current one included) a new one must differ from (PASSWORD_HISTORY). */
  history: number;
  rules: PasswordRule[];
}

/** The rules checked outside `check` (they need the network or the database), described with the others. */
export interface PolicyAdditions {
  rejectBreached: boolean;
  history: number;
}

/** Inputs longer than this (in characters) are malformed: they never reach the policy or bcrypt. */
export const MAX_PASSWORD_INPUT = 1024;

/** bcrypt's input limit. */
export const MAX_PASSWORD_BYTES = 72;
/** The email rule applies when the local part is at least this long (shorter ones match too much). */
const MIN_EMAIL_LOCAL_PART = 3;

const COMPOSITION_RULES: ReadonlySet<PasswordRule> = new Set(['UPPERCASE', 'LOWERCASE', 'DIGIT', 'SPECIAL']);

const UPPERCASE = /\p{Lu}|\p{Lt}/u;
const LOWERCASE = /\p{Ll}/u;
const DIGIT = /\p{Nd}/u;
// Unicode-aware: anything that is neither a letter nor a digit is special.
const SPECIAL = /[^\p{L}\p{Nd}]/u;

/** Passwords are compared and hashed in NFC, so "é" typed two ways is one password. */
export function normalizePassword(password: string): string {
  return password.normalize('NFC');
}

export class PasswordPolicy {
  readonly description: PasswordPolicyDescription;

  constructor(name: PasswordPolicyName, additions: PolicyAdditions = { rejectBreached: false, history: 0 }) {
    const composition = name === 'standard';
    const rules = PASSWORD_RULES.filter(
      (rule) => (composition || !COMPOSITION_RULES.has(rule)) && (rule !== 'BREACHED' || additions.rejectBreached),
    );
    this.description = {
      name,
      minLength: composition ? 8 : 15,
      maxBytes: MAX_PASSWORD_BYTES,
      requireUppercase: composition,
      requireLowercase: composition,
      requireDigit: composition,
      requireSpecial: composition,
      rejectCommon: true,
      rejectEmail: true,
      rejectBreached: additions.rejectBreached,
      history: additions.history,
      rules,
    };
  }

  /**
   * Every rule the (already NFC-normalised) password breaks, in the order of
   * the contract, so the first one's message is the one to show.
   */
  check(password: string, email: string): PasswordViolation[] {
    const rules = this.description;
    const violations: PasswordViolation[] = [];
    const broken = (rule: PasswordRule, message: string) => violations.push({ rule, message });

    // Length counts characters (code points), not UTF-16 units.
    if ([...password].length < rules.minLength) broken('MIN_LENGTH', `Password must be at least ${rules.minLength} characters`);
    if (Buffer.byteLength(password, 'utf8') > rules.maxBytes) {
      broken('MAX_LENGTH', `Password must be at most ${rules.maxBytes} bytes (UTF-8)`);
    }
    if (rules.requireUppercase && !UPPERCASE.test(password)) broken('UPPERCASE', 'Password must contain at least one uppercase letter');
    if (rules.requireLowercase && !LOWERCASE.test(password)) broken('LOWERCASE', 'Password must contain at least one lowercase letter');
    if (rules.requireDigit && !DIGIT.test(password)) broken('DIGIT', 'Password must contain at least one number');
    if (rules.requireSpecial && !SPECIAL.test(password)) broken('SPECIAL', 'Password must contain at least one special character');

    const lower = password.toLowerCase();
    if (commonPasswords().has(lower)) broken('COMMON', 'Password is too common');
    const localPart = email.slice(0, Math.max(0, email.lastIndexOf('@'))).toLowerCase();
    if (localPart.length >= MIN_EMAIL_LOCAL_PART && lower.includes(localPart)) {
      broken('CONTAINS_EMAIL', 'Password must not contain your email address');
    }
    return violations;
  }
}
