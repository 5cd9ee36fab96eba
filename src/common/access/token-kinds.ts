/** What a token may do (SPEC §2a): only GET, HEAD and OPTIONS, or whatever its owner may. */
export enum TokenAccess {
  ReadOnly = 'read_only',
  ReadWrite = 'read_write',
}

/** How the token came to exist: created on the profile API or obtained from `api-token-auth`. */
export enum TokenChannel {
  Profile = 'profile',
  ApiTokenAuth = 'api_token_auth',
}
