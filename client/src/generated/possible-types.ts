
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "ChangePasswordResult": [
      "ChangePasswordSuccess",
      "IncorrectPasswordError",
      "IncorrectSecondFactorError",
      "InvalidSessionError",
      "PasswordReusedError",
      "RateLimitedError",
      "SecondFactorRequiredError",
      "ValidationError",
      "WeakPasswordError"
    ],
    "ConfirmEmailChangeResult": [
      "ConfirmEmailChangeSuccess",
      "InvalidEmailTokenError",
      "RateLimitedError"
    ],
    "ConfirmTotpEnrollmentResult": [
      "ConfirmTotpEnrollmentSuccess",
      "IncorrectSecondFactorError",
      "InvalidSessionError",
      "RateLimitedError",
      "ValidationError"
    ],
    "DeleteAccountResult": [
      "DeleteAccountSuccess",
      "IncorrectPasswordError",
      "IncorrectSecondFactorError",
      "InvalidSessionError",
      "RateLimitedError",
      "SecondFactorRequiredError",
      "ValidationError"
    ],
    "DisableTotpResult": [
      "DisableTotpSuccess",
      "IncorrectPasswordError",
      "IncorrectSecondFactorError",
      "InvalidSessionError",
      "RateLimitedError",
      "SecondFactorRequiredError",
      "ValidationError"
    ],
    "Error": [
      "EmailNotVerifiedError",
      "EmailTakenError",
      "IncorrectPasswordError",
      "IncorrectSecondFactorError",
      "InvalidCredentialsError",
      "InvalidEmailTokenError",
      "InvalidResetTokenError",
      "InvalidSessionError",
      "PasswordReusedError",
      "RateLimitedError",
      "SecondFactorRequiredError",
      "SessionNotFoundError",
      "ValidationError",
      "WeakPasswordError"
    ],
    "RefreshSessionResult": [
      "AuthPayload",
      "InvalidSessionError",
      "RateLimitedError",
      "ValidationError"
    ],
    "RegenerateRecoveryCodesResult": [
      "IncorrectSecondFactorError",
      "InvalidSessionError",
      "RateLimitedError",
      "RegenerateRecoveryCodesSuccess",
      "SecondFactorRequiredError",
      "ValidationError"
    ],
    "RequestEmailChangeResult": [
      "IncorrectPasswordError",
      "IncorrectSecondFactorError",
      "InvalidSessionError",
      "RateLimitedError",
      "RequestEmailChangeSuccess",
      "SecondFactorRequiredError",
      "ValidationError"
    ],
    "RequestEmailVerificationResult": [
      "RateLimitedError",
      "RequestEmailVerificationSuccess",
      "ValidationError"
    ],
    "RequestPasswordResetResult": [
      "RateLimitedError",
      "RequestPasswordResetSuccess",
      "ValidationError"
    ],
    "ResetPasswordResult": [
      "IncorrectSecondFactorError",
      "InvalidResetTokenError",
      "PasswordReusedError",
      "RateLimitedError",
      "ResetPasswordSuccess",
      "SecondFactorRequiredError",
      "ValidationError",
      "WeakPasswordError"
    ],
    "RevokeSessionResult": [
      "InvalidSessionError",
      "SessionNotFoundError",
      "SignOutSuccess",
      "ValidationError"
    ],
    "SecureAccountResult": [
      "InvalidResetTokenError",
      "RateLimitedError",
      "SecureAccountSuccess"
    ],
    "SignInResult": [
      "AuthPayload",
      "EmailNotVerifiedError",
      "InvalidCredentialsError",
      "RateLimitedError",
      "SecondFactorChallenge",
      "ValidationError"
    ],
    "SignOutResult": [
      "InvalidSessionError",
      "SignOutSuccess"
    ],
    "SignUpResult": [
      "AuthPayload",
      "EmailTakenError",
      "RateLimitedError",
      "ValidationError",
      "WeakPasswordError"
    ],
    "StartTotpEnrollmentResult": [
      "IncorrectPasswordError",
      "InvalidSessionError",
      "RateLimitedError",
      "StartTotpEnrollmentSuccess",
      "ValidationError"
    ],
    "VerifyEmailResult": [
      "InvalidEmailTokenError",
      "RateLimitedError",
      "VerifyEmailSuccess"
    ],
    "VerifySecondFactorResult": [
      "AuthPayload",
      "IncorrectSecondFactorError",
      "InvalidSessionError",
      "RateLimitedError",
      "ValidationError"
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "ChangePasswordResult": [
      "ChangePasswordSuccess",
      "IncorrectPasswordError",
      "IncorrectSecondFactorError",
      "InvalidSessionError",
      "PasswordReusedError",
      "RateLimitedError",
      "SecondFactorRequiredError",
      "ValidationError",
      "WeakPasswordError"
    ],
    "ConfirmEmailChangeResult": [
      "ConfirmEmailChangeSuccess",
      "InvalidEmailTokenError",
      "RateLimitedError"
    ],
    "ConfirmTotpEnrollmentResult": [
      "ConfirmTotpEnrollmentSuccess",
      "IncorrectSecondFactorError",
      "InvalidSessionError",
      "RateLimitedError",
      "ValidationError"
    ],
    "DeleteAccountResult": [
      "DeleteAccountSuccess",
      "IncorrectPasswordError",
      "IncorrectSecondFactorError",
      "InvalidSessionError",
      "RateLimitedError",
      "SecondFactorRequiredError",
      "ValidationError"
    ],
    "DisableTotpResult": [
      "DisableTotpSuccess",
      "IncorrectPasswordError",
      "IncorrectSecondFactorError",
      "InvalidSessionError",
      "RateLimitedError",
      "SecondFactorRequiredError",
      "ValidationError"
    ],
    "Error": [
      "EmailNotVerifiedError",
      "EmailTakenError",
      "IncorrectPasswordError",
      "IncorrectSecondFactorError",
      "InvalidCredentialsError",
      "InvalidEmailTokenError",
      "InvalidResetTokenError",
      "InvalidSessionError",
      "PasswordReusedError",
      "RateLimitedError",
      "SecondFactorRequiredError",
      "SessionNotFoundError",
      "ValidationError",
      "WeakPasswordError"
    ],
    "RefreshSessionResult": [
      "AuthPayload",
      "InvalidSessionError",
      "RateLimitedError",
      "ValidationError"
    ],
    "RegenerateRecoveryCodesResult": [
      "IncorrectSecondFactorError",
      "InvalidSessionError",
      "RateLimitedError",
      "RegenerateRecoveryCodesSuccess",
      "SecondFactorRequiredError",
      "ValidationError"
    ],
    "RequestEmailChangeResult": [
      "IncorrectPasswordError",
      "IncorrectSecondFactorError",
      "InvalidSessionError",
      "RateLimitedError",
      "RequestEmailChangeSuccess",
      "SecondFactorRequiredError",
      "ValidationError"
    ],
    "RequestEmailVerificationResult": [
      "RateLimitedError",
      "RequestEmailVerificationSuccess",
      "ValidationError"
    ],
    "RequestPasswordResetResult": [
      "RateLimitedError",
      "RequestPasswordResetSuccess",
      "ValidationError"
    ],
    "ResetPasswordResult": [
      "IncorrectSecondFactorError",
      "InvalidResetTokenError",
      "PasswordReusedError",
      "RateLimitedError",
      "ResetPasswordSuccess",
      "SecondFactorRequiredError",
      "ValidationError",
      "WeakPasswordError"
    ],
    "RevokeSessionResult": [
      "InvalidSessionError",
      "SessionNotFoundError",
      "SignOutSuccess",
      "ValidationError"
    ],
    "SecureAccountResult": [
      "InvalidResetTokenError",
      "RateLimitedError",
      "SecureAccountSuccess"
    ],
    "SignInResult": [
      "AuthPayload",
      "EmailNotVerifiedError",
      "InvalidCredentialsError",
      "RateLimitedError",
      "SecondFactorChallenge",
      "ValidationError"
    ],
    "SignOutResult": [
      "InvalidSessionError",
      "SignOutSuccess"
    ],
    "SignUpResult": [
      "AuthPayload",
      "EmailTakenError",
      "RateLimitedError",
      "ValidationError",
      "WeakPasswordError"
    ],
    "StartTotpEnrollmentResult": [
      "IncorrectPasswordError",
      "InvalidSessionError",
      "RateLimitedError",
      "StartTotpEnrollmentSuccess",
      "ValidationError"
    ],
    "VerifyEmailResult": [
      "InvalidEmailTokenError",
      "RateLimitedError",
      "VerifyEmailSuccess"
    ],
    "VerifySecondFactorResult": [
      "AuthPayload",
      "IncorrectSecondFactorError",
      "InvalidSessionError",
      "RateLimitedError",
      "ValidationError"
    ]
  }
};
      export default result;
    