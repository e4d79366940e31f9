import { confirm, isCancel, password, text } from '@clack/prompts';

export type Terminal = { stdin: NodeJS.ReadStream; stderr: NodeJS.WritableStream };

// Prompts draw on stderr, so stdout stays clean for scripts (`todo export > mine.json`). The
// library edits the line itself: arrows move the cursor, Backspace deletes, and Ctrl-C or
// Escape comes back as a cancel, which these functions turn into null.
const streams = ({ stdin, stderr }: Terminal) => ({
  input: stdin,
  output: stderr as NodeJS.WriteStream,
  withGuide: false,
});

/** Asks a question on the terminal; null when cancelled (Ctrl-C). */
export async function ask(terminal: Terminal, message: string): Promise<string | null> {
  const answer = await text({ ...streams(terminal), message });
  return isCancel(answer) ? null : (answer ?? '').trim();
}

/** Asks for a password, showing a mask instead of the characters; null when cancelled. */
export async function askHidden(terminal: Terminal, message: string): Promise<string | null> {
  const answer = await password({ ...streams(terminal), message });
  return isCancel(answer) ? null : (answer ?? '');
}

/** A yes/no question whose answer is no unless the user says yes; null when cancelled. */
export async function askYesNo(terminal: Terminal, message: string): Promise<boolean | null> {
  const answer = await confirm({ ...streams(terminal), message, initialValue: false });
  return isCancel(answer) ? null : answer;
}

/** All of stdin (a pipe or a file), e.g. `echo "$PASSWORD" | todo login --email me@example.com`. */
export async function readAll(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  stdin.setEncoding('utf8');
  for await (const chunk of stdin) text += chunk;
  return text;
}
