// Every table's entity, listed where the features are composed: the database
// layer (src/db) imports no feature, so the ORM gets this list passed in.
import { DeviceToken } from '../devices/device-token.entity.ts';
import { SecurityEvent } from '../events/security-event.entity.ts';
import { User } from '../users/user.entity.ts';
import { OutboxMessage } from '../events/outbox-message.entity.ts';
import { PasswordHistoryEntry } from '../passwords/history/password-history.entity.ts';
import { AccountToken } from '../account-tokens/account-token.entity.ts';
import { RefreshToken } from '../sessions/refresh-token.entity.ts';
import { Session } from '../sessions/session.entity.ts';
import { SigningKey } from '../access-tokens/signing-key.entity.ts';
import { RecoveryCode } from '../second-factor/recovery-code.entity.ts';
import { TotpFactor } from '../second-factor/totp-factor.entity.ts';

export const entities = [User, Session, RefreshToken, PasswordHistoryEntry, SecurityEvent, OutboxMessage, AccountToken, DeviceToken, SigningKey, TotpFactor, RecoveryCode];
