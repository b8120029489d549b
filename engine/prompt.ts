// Questions on the terminal: passwords read with echo off (-k, -K, --ask-vault-pass, --vault-id X@prompt) and
// the --step question. Without a terminal on stdin these refuse instead of reading a pipe.
import { ConfigError } from './errors';

export interface Terminal {
  readonly input: NodeJS.ReadStream;
  readonly output: NodeJS.WriteStream;
}

const processTerminal = (): Terminal => ({ input: process.stdin, output: process.stderr });

/** A password typed on the terminal; nothing typed is echoed. Ctrl-C or Ctrl-D abort with a ConfigError. */
export function promptSecret(question: string, terminal: Terminal = processTerminal()): Promise<string> {
  return readKeys(question, terminal, false);
}

/** One line answered on the terminal (echoed). */
export function promptLine(question: string, terminal: Terminal = processTerminal()): Promise<string> {
  return readKeys(question, terminal, true);
}

function readKeys(question: string, { input, output }: Terminal, echo: boolean): Promise<string> {
  if (!input.isTTY) return Promise.reject(new ConfigError(`cannot ask '${question.trim()}': stdin is not a terminal`));
  return new Promise((resolve, reject) => {
    let answer = '';
    const wasRaw = input.isRaw;
    const finish = (error?: Error): void => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\x03') return finish(new ConfigError(`interrupted at '${question.trim()}'`));
        if (ch === '\x04') {
          if (answer === '') return finish(new ConfigError(`no answer to '${question.trim()}' (end of input)`));
          continue;
        }
        if (ch === '\x7f' || ch === '\b') {
          if (answer !== '' && echo) output.write('\b \b');
          answer = [...answer].slice(0, -1).join('');
          continue;
        }
        if (ch < ' ') continue;
        answer += ch;
        if (echo) output.write(ch);
      }
    };
    // Echo goes off before the question shows, so nothing typed (or pasted) at once is echoed by the terminal.
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
    output.write(question);
  });
}
