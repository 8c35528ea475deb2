// Entry point of dist/server.js: the language server over stdio (`--stdio`),
// node IPC or a socket, whichever the client asks for on the command line.
import { format } from 'node:util';
import { createConnection, ProposedFeatures, StreamMessageWriter, type Connection, type MessageWriter } from 'vscode-languageserver/node';
import { jsonEncoder } from './encode';
import { startServer } from './server';

function stdioConnection(): Connection {
  // As createConnection does for `--stdio`, but messages are written with the
  // encoder that keeps the JSON of published diagnostics (encode.ts).
  const writer: MessageWriter = new StreamMessageWriter(process.stdout, { charset: 'utf-8', contentTypeEncoder: jsonEncoder });
  const connection = createConnection(ProposedFeatures.all, process.stdin as never, writer as never);
  // stdout carries the protocol: console output goes to the client's log instead (as createConnection does for `--stdio`).
  console.log = (...a: unknown[]) => connection.console.log(format(...a));
  console.info = (...a: unknown[]) => connection.console.info(format(...a));
  console.debug = (...a: unknown[]) => connection.console.log(format(...a));
  console.warn = (...a: unknown[]) => connection.console.warn(format(...a));
  console.error = (...a: unknown[]) => connection.console.error(format(...a));
  return connection;
}

startServer(process.argv.slice(2).includes('--stdio') ? stdioConnection() : createConnection(ProposedFeatures.all));
