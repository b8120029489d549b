// The vault flags every command takes (playbooks, `npm run inventory`, `npm run vault`), named as Ansible names
// them, and the keyring they make.
import { Option, type Command } from 'commander';
import { promptSecret } from '../prompt';
import { VaultKeyring } from './keyring';
import { vaultSources, type SecretPrompt } from './password';

export interface VaultFlags {
  readonly vaultId: string[];
  readonly vaultPasswordFile: string[];
  readonly askVaultPass?: boolean;
  readonly askVaultPassword?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function addVaultOptions(cmd: Command): Command {
  return cmd
    .option('--vault-id <[label@]source>', 'a vault secret: a password file, an executable printing it, or "prompt" (repeatable)', collect, [])
    .option(
      '--vault-password-file <file>',
      'vault password file or an executable printing it, vault id "default" (repeatable; or env ANSIBLE_VAULT_PASSWORD_FILE / VPHA_VAULT_PASSWORD)',
      collect,
      [],
    )
    .option('-J, --ask-vault-pass', 'ask for the vault password (vault id "default")')
    .addOption(new Option('--ask-vault-password').hideHelp());
}

export function keyringFrom(flags: VaultFlags, env: NodeJS.ProcessEnv, prompt: SecretPrompt = promptSecret): VaultKeyring {
  return new VaultKeyring(
    vaultSources({
      vaultIds: flags.vaultId,
      passwordFiles: flags.vaultPasswordFile,
      askVaultPass: !!(flags.askVaultPass || flags.askVaultPassword),
      env,
      prompt,
    }),
  );
}
