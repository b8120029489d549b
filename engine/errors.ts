// Error kinds the runner maps to exit codes and to one clear line for the user.

/** Bad input found before any host is touched: inventory, variables, templates, flags. Exit 1. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A module could not do its job on a host. The runner prefixes host and task. */
export class ModuleError extends Error {
  override readonly name = 'ModuleError';
  constructor(
    message: string,
    readonly detail?: { readonly rc?: number; readonly stdout?: string; readonly stderr?: string },
  ) {
    super(message);
  }
}

/** The host cannot be reached or logged into. Exit 4. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
  constructor(
    readonly host: string,
    message: string,
  ) {
    super(message);
  }
}

/** A command ran longer than its timeout. */
export class TimeoutError extends ModuleError {}
