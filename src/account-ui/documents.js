// Every GraphQL document this page sends, exactly as sent: the one source the page (api.js) and the
// trusted-documents manifest (`npm run codegen`, docs/api/trusted-documents.md) share. A server started
// with TRUSTED_DOCUMENTS executes these texts only as written here, so a document is changed here (then
// `npm run codegen`), never built or edited where it is sent.

const FAILURE = /* GraphQL */ `
  fragment Failure on Error {
    code
    message
    ... on ValidationError { fieldErrors { path message } }
    ... on WeakPasswordError { violations { rule message } }
    ... on RateLimitedError { retryAfterSeconds }
  }`;

const SESSION = /* GraphQL */ `token expiresAt refreshToken deviceToken user { id email }`;

export const REFRESH_SESSION = /* GraphQL */ `mutation RefreshSession($input: RefreshSessionInput) { refreshSession(input: $input) {
      __typename ... on AuthPayload { ${SESSION} } ...Failure } } ${FAILURE}`;

export const SIGN_IN = /* GraphQL */ `mutation SignIn($input: SignInInput!) { signIn(input: $input) { __typename ... on AuthPayload { ${SESSION} }
      ... on SecondFactorChallenge { challengeToken expiresAt } ...Failure } } ${FAILURE}`;

export const VERIFY_SECOND_FACTOR = /* GraphQL */ `mutation VerifySecondFactor($input: VerifySecondFactorInput!) { verifySecondFactor(input: $input) {
      __typename ... on AuthPayload { ${SESSION} } ...Failure } } ${FAILURE}`;

export const SIGN_UP = /* GraphQL */ `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { __typename ... on AuthPayload { ${SESSION} } ...Failure } } ${FAILURE}`;

export const PASSWORD_POLICY = /* GraphQL */ `query PasswordPolicy { passwordPolicy { name minLength maxBytes requireUppercase requireLowercase requireDigit
      requireSpecial rejectCommon rejectEmail rejectBreached history } }`;

export const REQUEST_PASSWORD_RESET = /* GraphQL */ `mutation RequestPasswordReset($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input) {
      __typename ... on RequestPasswordResetSuccess { success message } ...Failure } } ${FAILURE}`;

export const RESET_PASSWORD = /* GraphQL */ `mutation ResetPassword($input: ResetPasswordInput!) { resetPassword(input: $input) {
      __typename ... on ResetPasswordSuccess { success message deviceToken } ...Failure } } ${FAILURE}`;

export const SECURE_ACCOUNT = /* GraphQL */ `mutation SecureAccount($input: SecureAccountInput!) { secureAccount(input: $input) {
      __typename ... on SecureAccountSuccess { success message deviceToken } ...Failure } } ${FAILURE}`;

export const ME = /* GraphQL */ `query Me { me { id email emailVerified createdAt passwordChangedAt secondFactor { totp recoveryCodesLeft } } }`;

export const VERIFY_EMAIL = /* GraphQL */ `mutation VerifyEmail($input: VerifyEmailInput!) { verifyEmail(input: $input) {
      __typename ... on VerifyEmailSuccess { success message } ...Failure } } ${FAILURE}`;

export const CONFIRM_EMAIL_CHANGE = /* GraphQL */ `mutation ConfirmEmailChange($input: ConfirmEmailChangeInput!) { confirmEmailChange(input: $input) {
      __typename ... on ConfirmEmailChangeSuccess { success message email } ...Failure } } ${FAILURE}`;

export const REQUEST_EMAIL_VERIFICATION = /* GraphQL */ `mutation RequestEmailVerification($input: RequestEmailVerificationInput!) {
      requestEmailVerification(input: $input) { __typename ... on RequestEmailVerificationSuccess { success message } ...Failure } } ${FAILURE}`;

export const REQUEST_EMAIL_CHANGE = /* GraphQL */ `mutation RequestEmailChange($input: RequestEmailChangeInput!) { requestEmailChange(input: $input) {
      __typename ... on RequestEmailChangeSuccess { success message } ...Failure } } ${FAILURE}`;

export const DELETE_ACCOUNT = /* GraphQL */ `mutation DeleteAccount($input: DeleteAccountInput!) { deleteAccount(input: $input) {
      __typename ... on DeleteAccountSuccess { success message } ...Failure } } ${FAILURE}`;

export const START_TOTP_ENROLLMENT = /* GraphQL */ `mutation StartTotpEnrollment($input: StartTotpEnrollmentInput!) { startTotpEnrollment(input: $input) {
      __typename ... on StartTotpEnrollmentSuccess { secret uri qrCodeSvg } ...Failure } } ${FAILURE}`;

export const CONFIRM_TOTP_ENROLLMENT = /* GraphQL */ `mutation ConfirmTotpEnrollment($input: ConfirmTotpEnrollmentInput!) { confirmTotpEnrollment(input: $input) {
      __typename ... on ConfirmTotpEnrollmentSuccess { recoveryCodes } ...Failure } } ${FAILURE}`;

export const REGENERATE_RECOVERY_CODES = /* GraphQL */ `mutation RegenerateRecoveryCodes($input: RegenerateRecoveryCodesInput!) { regenerateRecoveryCodes(input: $input) {
      __typename ... on RegenerateRecoveryCodesSuccess { recoveryCodes } ...Failure } } ${FAILURE}`;

export const DISABLE_TOTP = /* GraphQL */ `mutation DisableTotp($input: DisableTotpInput!) { disableTotp(input: $input) {
      __typename ... on DisableTotpSuccess { success message } ...Failure } } ${FAILURE}`;

export const CHANGE_PASSWORD = /* GraphQL */ `mutation ChangePassword($input: ChangePasswordInput!) { changePassword(input: $input) {
      __typename ... on ChangePasswordSuccess { success message ${SESSION} } ...Failure } } ${FAILURE}`;

export const SESSIONS = /* GraphQL */ `query Sessions { me { sessions { id createdAt lastActiveAt expiresAt ipAddress userAgent device current } } }`;

export const SECURITY_EVENTS = /* GraphQL */ `query SecurityEvents($after: String) { me { securityEvents(first: 20, after: $after) {
      edges { node { id kind occurredAt ipAddress userAgent device } } pageInfo { hasNextPage endCursor } } } }`;

export const REVOKE_SESSION = /* GraphQL */ `mutation RevokeSession($input: RevokeSessionInput!) { revokeSession(input: $input) {
      __typename ... on SignOutSuccess { success revokedSessions } ...Failure } } ${FAILURE}`;

export const SIGN_OUT = /* GraphQL */ `mutation SignOut($input: SignOutInput) { signOut(input: $input) {
        __typename ... on SignOutSuccess { success revokedSessions } ... on Error { code message } } }`;
