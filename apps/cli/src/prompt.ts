import { createInterface } from 'node:readline/promises';

export type Terminal = { stdin: NodeJS.ReadStream; stderr: NodeJS.WritableStream };

/** Asks a question on the terminal (prompt on stderr, so stdout stays clean for scripts). */
export async function ask({ stdin, stderr }: Terminal, question: string): Promise<string> {
  const readline = createInterface({ input: stdin, output: stderr, terminal: true });
  try {
    return (await readline.question(question)).trim();
  } finally {
    readline.close();
  }
}

/**
 * Asks for a password without echoing it: the terminal is put in raw mode and every key is
 * handled here (Enter ends, Backspace deletes, Ctrl-C cancels).
 */
export function askHidden({ stdin, stderr }: Terminal, question: string): Promise<string | null> {
  return new Promise((resolve) => {
    stderr.write(question);
    let value = '';
    const finish = (result: string | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      resolve(result);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish(value);
        if (char === '\u0003') return finish(null);
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else if (char >= ' ') value += char;
      }
    };
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** All of stdin (a pipe or a file), e.g. `echo "$PASSWORD" | todo login --email me@example.com`. */
export async function readAll(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  stdin.setEncoding('utf8');
  for await (const chunk of stdin) text += chunk;
  return text;
}
