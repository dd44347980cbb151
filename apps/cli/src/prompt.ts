import { createInterface } from 'node:readline/promises';

export interface Terminal {
  readonly stdin: NodeJS.ReadStream;
  readonly stderr: NodeJS.WritableStream;
}

/** Asks a question on the terminal (prompts go to stderr, so stdout stays the command's output). */
export async function ask(terminal: Terminal, question: string, fallback?: string): Promise<string> {
  const prompt = createInterface({ input: terminal.stdin, output: terminal.stderr, terminal: true });
  try {
    const answer = (await prompt.question(fallback ? `${question} [${fallback}]: ` : `${question}: `)).trim();
    return answer === '' && fallback !== undefined ? fallback : answer;
  } finally {
    prompt.close();
  }
}

/** Asks for a secret without echoing it: the terminal is put in raw mode and each key read by hand. */
export function askSecret(terminal: Terminal, question: string): Promise<string> {
  const { stdin, stderr } = terminal;
  return new Promise((resolve, reject) => {
    let secret = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      if (error) reject(error);
      else resolve(secret.trim());
    };
    const onData = (chunk: Buffer) => {
      for (const character of chunk.toString('utf8')) {
        if (character === '\r' || character === '\n') return finish();
        if (character === '\u0003' || character === '\u0004') return finish(new Error('cancelled'));
        if (character === '\u007f' || character === '\b') secret = secret.slice(0, -1);
        else if (character >= ' ') secret += character;
      }
    };
    // Raw mode (no echo) before the question shows: what is typed as soon as it shows must not be echoed.
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
    stderr.write(`${question}: `);
  });
}

/** Reads all of stdin (`--token -`): a token piped in stays out of the shell history and the process list. */
export async function readAll(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').trim();
}
