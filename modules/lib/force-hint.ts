// Guards refuse destructive steps until the user allows them. The message must name what the user sets:
// a role maps its variable (e.g. drbd_force_create_md) to the module's parameter (force), and says which.

export interface ForceVariable {
  /**
   * The user-facing setting that maps to this module's override parameter (e.g. 'drbd_force_create_md'
   * for force): guard messages then name it instead of the parameter.
   */
  readonly forceVariable?: string;
}

/** "NAME: true", naming the user's variable when the caller gave one, else the module parameter. */
export function forceSetting(parameter: string, p: ForceVariable): string {
  return `${p.forceVariable ?? parameter}: true`;
}

