/** How a member signs in; part of every principal and session (stored as enum auth_method). */
export enum AuthMethod {
  Password = 'password',
  Sso = 'sso',
}
