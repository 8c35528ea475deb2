// Entry point of dist/server.js: the language server over stdio (`--stdio`),
// node IPC or a socket, whichever the client asks for on the command line.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

startServer(createConnection(ProposedFeatures.all));
