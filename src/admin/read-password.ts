import { UsageError } from './usage-error.ts';

/** Everything piped to stdin, without the one line ending `echo` or a here-string adds. */
async function readPiped(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Reads one line from a terminal without echoing it. */
function promptHidden(stdin: NodeJS.ReadStream, question: string): Promise<string> {
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (outcome: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      outcome();
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish(() => resolve(value));
        if (char === '\u0003' || char === '\u0004') return finish(() => reject(new UsageError('Cancelled.')));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.on('data', onData);
  });
}

/**
 * The new password, never from the command line (shell history, `ps`):
 * piped on stdin (`--password-stdin`, or whenever stdin is not a terminal),
 * or typed twice at a hidden prompt.
 */
export async function readPassword(fromStdin: boolean, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  let password: string;
  if (fromStdin || !stdin.isTTY) {
    password = await readPiped(stdin);
  } else {
    password = await promptHidden(stdin, 'New password: ');
    if ((await promptHidden(stdin, 'Repeat it: ')) !== password) throw new UsageError('The two passwords differ.');
  }
  if (password === '') throw new UsageError('No password given: pipe it on stdin (--password-stdin) or type it at the prompt.');
  return password;
}
