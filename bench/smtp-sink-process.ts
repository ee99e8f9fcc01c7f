import { SMTPServer } from 'smtp-server';

/**
 * A counting SMTP server in its own process, so the sink's CPU does not share an event loop with what
 * is measured. Prints "ready <port>" and then, on each message, nothing; answers "count" on stdin.
 */
let messages = 0;
let bytes = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  disableReverseLookup: true,
  logger: false,
  size: 10 * 1024 * 1024,
  onData(stream, _session, callback) {
    stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
    stream.on('end', () => {
      messages += 1;
      callback();
    });
  },
});
server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  process.stdout.write(`ready ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.stdin.on('data', () => process.stdout.write(`count ${messages} ${bytes}\n`));
