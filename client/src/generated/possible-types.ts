
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "ChangePasswordResult": [
      "ChangePasswordSuccess",
      "IncorrectPasswordError",
      "InvalidSessionError",
      "PasswordReusedError",
      "RateLimitedError",
      "ValidationError",
      "WeakPasswordError"
    ],
    "Error": [
      "EmailTakenError",
      "IncorrectPasswordError",
      "InvalidCredentialsError",
      "InvalidResetTokenError",
      "InvalidSessionError",
      "PasswordReusedError",
      "RateLimitedError",
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
    "RequestPasswordResetResult": [
      "RateLimitedError",
      "RequestPasswordResetSuccess",
      "ValidationError"
    ],
    "ResetPasswordResult": [
      "InvalidResetTokenError",
      "PasswordReusedError",
      "RateLimitedError",
      "ResetPasswordSuccess",
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
      "InvalidCredentialsError",
      "RateLimitedError",
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
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "ChangePasswordResult": [
      "ChangePasswordSuccess",
      "IncorrectPasswordError",
      "InvalidSessionError",
      "PasswordReusedError",
      "RateLimitedError",
      "ValidationError",
      "WeakPasswordError"
    ],
    "Error": [
      "EmailTakenError",
      "IncorrectPasswordError",
      "InvalidCredentialsError",
      "InvalidResetTokenError",
      "InvalidSessionError",
      "PasswordReusedError",
      "RateLimitedError",
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
    "RequestPasswordResetResult": [
      "RateLimitedError",
      "RequestPasswordResetSuccess",
      "ValidationError"
    ],
    "ResetPasswordResult": [
      "InvalidResetTokenError",
      "PasswordReusedError",
      "RateLimitedError",
      "ResetPasswordSuccess",
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
      "InvalidCredentialsError",
      "RateLimitedError",
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
    ]
  }
};
      export default result;
    