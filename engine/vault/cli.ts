// `npm run vault -- create|edit|view|encrypt|decrypt FILE [--vault-password-file F]` (or env VPHA_VAULT_PASSWORD).
// A vault file's plaintext is YAML of variables; it is checked before anything is written.
import { existsSync, readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../errors';
import { parseYaml, varsFromMapping } from '../inventory/yaml-source';
import { decryptVault, encryptVault, isVaultText } from './crypto';
import { editText, writeOwnerOnly } from './files';
import { readVaultPassword, VAULT_PASSWORD_HINT } from './password';

export interface VaultIO {
  readonly out: (text: string) => void;
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Plaintext for `create` when stdin is not a terminal; undefined means: open the editor. */
  readonly readStdin: () => string | undefined;
}

interface CommandOptions {
  readonly vaultPasswordFile?: string;
}

/** Runs one vault command; resolves to the exit code (0 ok, 1 usage or config error). */
export async function vaultMain(argv: readonly string[], io: VaultIO): Promise<number> {
  const program = new Command('vault')
    .description('encrypted variable files (AES-256-GCM, scrypt key) for group_vars/ and host_vars/')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s.replace(/\n$/, '')) });

  const password = (o: CommandOptions): string => {
    const found = readVaultPassword({ file: o.vaultPasswordFile, env: io.env });
    if (found === undefined) throw new ConfigError(`no vault password: ${VAULT_PASSWORD_HINT}`);
    return found;
  };
  const command = (name: string, summary: string, action: (file: string, o: CommandOptions) => Promise<void>): void => {
    program
      .command(name)
      .description(summary)
      .argument('<file>', 'the vault file')
      .option('--vault-password-file <file>', 'file holding the vault password (or env VPHA_VAULT_PASSWORD)')
      .action(action);
  };

  command('create', 'create FILE from stdin (or $EDITOR on a terminal)', async (file, o) => {
    if (existsSync(file)) throw new ConfigError(`vault ${file}: already exists (use edit)`);
    const key = password(o);
    const plaintext = io.readStdin() ?? editText('# variables, e.g.\n# mariadb_root_password: ...\n', io.env, file);
    checkPlaintext(plaintext, file);
    writeOwnerOnly(file, await encryptVault(plaintext, key));
    io.err(`created ${file}`);
  });
  command('edit', 'edit FILE with $EDITOR and encrypt it again', async (file, o) => {
    const key = password(o);
    const before = await decryptVault(readText(file), key, file);
    const after = editText(before, io.env, file);
    if (after === before) return io.err(`${file} unchanged`);
    checkPlaintext(after, file);
    writeOwnerOnly(file, await encryptVault(after, key));
    io.err(`saved ${file}`);
  });
  command('view', 'print the plaintext of FILE', async (file, o) => {
    io.out(await decryptVault(readText(file), password(o), file));
  });
  command('encrypt', 'encrypt the plaintext YAML FILE in place', async (file, o) => {
    const plaintext = readText(file);
    if (isVaultText(plaintext)) throw new ConfigError(`vault ${file}: already encrypted`);
    checkPlaintext(plaintext, file);
    writeOwnerOnly(file, await encryptVault(plaintext, password(o)));
    io.err(`encrypted ${file}`);
  });
  command('decrypt', 'decrypt FILE in place (mode 0600)', async (file, o) => {
    writeOwnerOnly(file, await decryptVault(readText(file), password(o), file));
    io.err(`decrypted ${file}`);
  });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof ConfigError) {
      io.err(e.message.startsWith('vault ') ? e.message : `vault: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`vault ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** The plaintext must be a YAML mapping of variables, or the inventory would refuse it later. */
function checkPlaintext(plaintext: string, file: string): void {
  const src = parseYaml(plaintext, `${file} (plaintext)`, { env: {}, secrets: new Set(), resolveEnv: false });
  varsFromMapping(src.doc.contents, src, 'a vault file');
}

if (require.main === module) {
  const io: VaultIO = {
    out: (text) => process.stdout.write(text),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    readStdin: () => (process.stdin.isTTY ? undefined : readFileSync(0, 'utf8')),
  };
  vaultMain(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`vault: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
