// `npm run vault -- create|edit|view|encrypt|decrypt|rekey FILE...` with ansible-vault's flags (--vault-id,
// --vault-password-file, --ask-vault-pass, --encrypt-vault-id, --new-vault-id, --new-vault-password-file,
// --output). Files are written in Ansible's vault format, so ansible-vault opens them; this engine's earlier
// AES-256-GCM files are still opened. Deliberately stricter: plaintext written by create/edit/encrypt must be
// a YAML mapping of variables (what group_vars/ and host_vars/ hold), checked before anything is written.
import { existsSync, readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../errors';
import { parseYaml, varsFromMapping } from '../inventory/yaml-source';
import { encryptVault, isVaultText } from './crypto';
import { editText, writeOwnerOnly } from './files';
import { VaultKeyring } from './keyring';
import { addVaultOptions, keyringFrom, type VaultFlags } from './options';
import { vaultSources, type SecretPrompt } from './password';

export interface VaultIO {
  readonly out: (text: string) => void;
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Plaintext for `create` when stdin is not a terminal; undefined means: open the editor. */
  readonly readStdin: () => string | undefined;
  readonly prompt?: SecretPrompt;
}

interface CommandOptions extends VaultFlags {
  readonly encryptVaultId?: string;
  readonly newVaultId?: string;
  readonly newVaultPasswordFile?: string;
  readonly output?: string;
}

/** Runs one vault command; resolves to the exit code (0 ok, 1 usage or config error). */
export async function vaultMain(argv: readonly string[], io: VaultIO): Promise<number> {
  const program = new Command('vault')
    .description("encrypted variable files in Ansible's vault format for group_vars/ and host_vars/")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s.replace(/\n$/, '')) });

  const keyring = (o: CommandOptions): VaultKeyring => keyringFrom(o, io.env, io.prompt);
  const command = (name: string, summary: string, action: (files: string[], o: CommandOptions) => Promise<void>): Command =>
    addVaultOptions(
      program
        .command(name)
        .description(summary)
        .argument('<file...>', 'the vault file(s)')
        .option('--encrypt-vault-id <id>', 'the vault id to encrypt with, when several are given')
        .action(action),
    );
  const sealed = async (plaintext: string, ring: VaultKeyring, o: CommandOptions): Promise<string> => {
    const { id, password } = await ring.encryptionSecret(o.encryptVaultId);
    return encryptVault(plaintext, password, id);
  };

  command('create', 'create FILE from stdin (or $EDITOR on a terminal)', async ([file = ''], o) => {
    if (existsSync(file)) throw new ConfigError(`vault ${file}: already exists (use edit)`);
    const ring = keyring(o);
    const secret = await ring.encryptionSecret(o.encryptVaultId);
    const plaintext = io.readStdin() ?? editText('# variables, e.g.\n# mariadb_root_password: ...\n', io.env, file);
    checkPlaintext(plaintext, file);
    writeOwnerOnly(file, await encryptVault(plaintext, secret.password, secret.id));
    io.err(`created ${file}`);
  });
  command('edit', 'edit FILE with $EDITOR and encrypt it again (same vault id)', async (files, o) => {
    const ring = keyring(o);
    for (const file of files) {
      const opened = await ring.open(readText(file), file);
      const after = editText(opened.plaintext, io.env, file);
      if (after === opened.plaintext) {
        io.err(`${file} unchanged`);
        continue;
      }
      checkPlaintext(after, file);
      writeOwnerOnly(file, await encryptVault(after, opened.password, opened.id));
      io.err(`saved ${file}`);
    }
  });
  command('view', 'print the plaintext of FILE', async (files, o) => {
    const ring = keyring(o);
    for (const file of files) io.out(await ring.decrypt(readText(file), file));
  });
  command('encrypt', 'encrypt the plaintext YAML FILE in place (or to --output)', async (files, o) => {
    const ring = keyring(o);
    for (const file of files) {
      const plaintext = readText(file);
      if (isVaultText(plaintext)) throw new ConfigError(`vault ${file}: already encrypted`);
      checkPlaintext(plaintext, file);
      write(o.output ?? file, await sealed(plaintext, ring, o), io);
      io.err(`encrypted ${file}`);
    }
  }).option('--output <file>', "write here instead of in place ('-' for stdout)");
  command('decrypt', 'decrypt FILE in place, mode 0600 (or to --output)', async (files, o) => {
    const ring = keyring(o);
    for (const file of files) {
      write(o.output ?? file, await ring.decrypt(readText(file), file), io);
      io.err(`decrypted ${file}`);
    }
  }).option('--output <file>', "write here instead of in place ('-' for stdout)");
  command('rekey', 'encrypt FILE again with a new password (--new-vault-id or --new-vault-password-file)', async (files, o) => {
    const slugs = [...(o.newVaultId ? [o.newVaultId] : []), ...(o.newVaultPasswordFile ? [`default@${o.newVaultPasswordFile}`] : [])];
    if (slugs.length !== 1) throw new ConfigError('rekey needs the new secret: give exactly one of --new-vault-id or --new-vault-password-file');
    const fresh = new VaultKeyring(vaultSources({ vaultIds: slugs, env: {}, prompt: io.prompt }));
    const ring = keyring(o);
    for (const file of files) {
      const plaintext = await ring.decrypt(readText(file), file);
      const { id, password } = await fresh.encryptionSecret();
      writeOwnerOnly(file, await encryptVault(plaintext, password, id));
      io.err(`rekeyed ${file}`);
    }
  })
    .option('--new-vault-id <[label@]source>', 'the new vault secret')
    .option('--new-vault-password-file <file>', 'the new vault password file (vault id "default")');

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

function write(target: string, content: string, io: VaultIO): void {
  if (target === '-') io.out(content);
  else writeOwnerOnly(target, content);
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
  const src = parseYaml(plaintext, `${file} (plaintext)`, { checkEnvNames: false });
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
