import { describe, expect, it } from '@jest/globals';
import { PASSWORD_RULES, PasswordPolicy } from '../../src/passwords/password-policy.ts';

const standard = new PasswordPolicy('standard');
const nist = new PasswordPolicy('nist');
const rules = (policy: PasswordPolicy, password: string, email = 'ada@example.com') => policy.check(password, email).map((v) => v.rule);

describe('the standard policy, rule by rule', () => {
  it('accepts a password that breaks no rule', () => {
    expect(rules(standard, 'Correct-Horse-9')).toEqual([]);
  });

  it('lists every broken rule in the contract order', () => {
    expect(rules(standard, 'abc')).toEqual(['MIN_LENGTH', 'UPPERCASE', 'DIGIT', 'SPECIAL']);
    expect(standard.check('abc', 'x@example.com')[0]?.message).toBe('Password must be at least 8 characters');
  });

  it('counts characters, not UTF-16 units, and bytes for the bcrypt bound', () => {
    expect(rules(standard, 'Aa1!😀😀😀😀')).toEqual([]);
    expect(rules(standard, `Aa1!${'é'.repeat(35)}`)).toEqual(['MAX_LENGTH']);
  });

  it('treats any non-letter, non-digit as special, Unicode-aware', () => {
    expect(rules(standard, 'Ünïcödé1 ')).toEqual([]);
    expect(rules(standard, 'Ünïcödé12')).toEqual(['SPECIAL']);
  });

  it('refuses common passwords case-insensitively and the email local part', () => {
    expect(rules(standard, 'PASSWORD')).toContain('COMMON');
    expect(rules(standard, 'My-ada-Pass-1', 'ada@example.com')).toEqual(['CONTAINS_EMAIL']);
    // Local parts under 3 characters would forbid too much.
    expect(rules(standard, 'My-al-Pass-1', 'al@example.com')).toEqual([]);
  });
});

describe('the NIST policy', () => {
  it('asks for 15 characters and no composition', () => {
    expect(rules(nist, 'correct horse battery')).toEqual([]);
    expect(rules(nist, 'short one')).toEqual(['MIN_LENGTH']);
  });

  it('describes only the rules it applies', () => {
    expect(nist.description.rules).toEqual(['MIN_LENGTH', 'MAX_LENGTH', 'COMMON', 'CONTAINS_EMAIL']);
    expect(standard.description.rules).toEqual(PASSWORD_RULES.filter((rule) => rule !== 'BREACHED'));
    expect(new PasswordPolicy('standard', { rejectBreached: true, history: 0 }).description.rules).toEqual([...PASSWORD_RULES]);
  });
});
