/** The part of a stream this needs: its 'error' event. */
interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Exits quietly (status 0) when the reader of `stream` goes away (`agentd tasks list | head -1`):
 * nothing is left to say and no one to say it to, as coreutils do. Without a listener Node prints
 * "Unhandled 'error' event" and a stack trace. Any other write error is thrown as before.
 */
export function exitOnBrokenPipe(stream: ErrorEmitter, exit: (code: number) => void = process.exit): void {
  stream.on('error', (error) => {
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') exit(0);
    else throw error;
  });
}
