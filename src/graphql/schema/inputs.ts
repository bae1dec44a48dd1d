import { z } from 'zod';
import { MAX_PASSWORD_INPUT } from '../../passwords/password-policy.ts';


export const emailSchema = z.string().trim().max(254, 'Email must be at most 254 characters').pipe(z.email('Email must be a valid email address'));
export const passwordSchema = z.string().max(MAX_PASSWORD_INPUT, `Password must be at most ${MAX_PASSWORD_INPUT} characters`);
export const requiredPasswordSchema = passwordSchema.min(1, 'Password is required');

/** A TOTP code (6 digits) or a recovery code (XXXXX-XXXXX); spaces and dashes are allowed. */
export const secondFactorCodeSchema = z.string().trim().min(1, 'Code is required').max(32, 'Code must be at most 32 characters');

export const SECOND_FACTOR_CODE_DESCRIPTION =
  'Required when the account has TOTP on (`SecondFactorRequiredError` without it): the 6-digit code of the authenticator app, or an unused recovery code.';
