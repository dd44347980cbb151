import { setMaxListeners } from 'node:events';
import type { CliContext } from './cli-context';
import { runCli } from './program';

/** The `hangar` command: the environment it reads is handed over here, the only place that reads process.env. */
async function main(): Promise<void> {
  const interrupt = new AbortController();
  // Every upload in flight listens for the interruption: --concurrency of them, more than Node's default warning limit.
  setMaxListeners(0, interrupt.signal);
  const context: CliContext = {
    env: {
      HANGAR_URL: process.env.HANGAR_URL,
      HANGAR_TOKEN: process.env.HANGAR_TOKEN,
      HANGAR_SPACE: process.env.HANGAR_SPACE,
      XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME,
      HOME: process.env.HOME,
    },
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    signal: interrupt.signal,
    exitCode: 0,
  };
  // The first Ctrl-C lets uploads stop where they are (resumable) and the summary print; a second one quits.
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) process.exit(130);
    process.stderr.write(`\nhangar: ${signal}: stopping (again to quit at once)\n`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const status = await runCli(process.argv.slice(2), context);
  // Idle keep-alive connections and timers must not hold the process once the command is done.
  // Interrupted: 130, as a shell reports a command Ctrl-C ended, whatever became of the files.
  process.exitCode = interrupt.signal.aborted ? 130 : status;
  process.stdout.write('', () => process.exit());
}

main().catch((error: unknown) => {
  process.stderr.write(`hangar: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
