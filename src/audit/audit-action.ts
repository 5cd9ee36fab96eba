/** Every audited action (SPEC §5); the audit_event CHECK constraint lists exactly these. */
export enum AuditAction {
  LoginSucceeded = 'auth.login.succeeded',
  LoginFailed = 'auth.login.failed',
  Logout = 'auth.logout',
  SsoLogin = 'auth.sso.login',
  Reauthenticated = 'auth.reauthenticated',
  TokenCreated = 'token.created',
  TokenRevoked = 'token.revoked',
  PermissionGranted = 'permission.granted',
  PermissionWithdrawn = 'permission.withdrawn',
  MemberAdded = 'member.added',
  SuperuserGranted = 'member.superuser_granted',
  SuperuserWithdrawn = 'member.superuser_withdrawn',
  MemberDeactivated = 'member.deactivated',
  MemberActivated = 'member.activated',
  AuthMethodChanged = 'member.auth_method_changed',
  ApiTokenAuthDenied = 'api_token_auth.denied',
  PasswordChanged = 'auth.password_changed',
  TokenRotated = 'token.rotated',
  TokenUsedFromNewIp = 'token.used_from_new_ip',
  TokenExpired = 'token.expired',
}

/** `password`: api-token-auth, where the credentials themselves are the only proof. */
export type ActorVia = 'session' | 'token' | 'password' | 'system';
