/** Per-user permissions a superuser grants or withdraws (SPEC §1). */
export enum Permission {
  ManageApiTokens = 'api_tokens.manage',
}

export const PERMISSION_LABELS: Record<Permission, string> = {
  [Permission.ManageApiTokens]: 'Can create and manage personal API tokens',
};

export const ALL_PERMISSIONS = Object.values(Permission);
