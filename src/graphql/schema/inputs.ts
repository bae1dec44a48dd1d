import { z } from 'zod';
import { MAX_PASSWORD_INPUT } from '../../passwords/password-policy.ts';


export const emailSchema = z.string().trim().max(254, 'Email must be at most 254 characters').pipe(z.email('Email must be a valid email address'));
export const passwordSchema = z.string().max(MAX_PASSWORD_INPUT, `Password must be at most ${MAX_PASSWORD_INPUT} characters`);
export const requiredPasswordSchema = passwordSchema.min(1, 'Password is required');
