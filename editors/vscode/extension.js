// The client side of `crossfoot lsp`: start the server for `.xfoot` files, and restart it
// when its path changes. Everything else (diagnostics, hover, definitions, references,
// formatting, completion, quick fixes) is the server's.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

/** The server: `crossfoot lsp` over standard input and output. */
function serverOptions() {
  const configured = vscode.workspace.getConfiguration('crossfoot').get('server.path');
  const command = typeof configured === 'string' && configured.trim() !== '' ? configured : 'crossfoot';
  const run = { command, args: ['lsp'] };
  return { run, debug: run };
}

async function start() {
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'crossfoot' },
      { scheme: 'untitled', language: 'crossfoot' },
    ],
  };
  client = new LanguageClient('crossfoot', 'crossfoot', serverOptions(), clientOptions);
  try {
    await client.start();
  } catch (error) {
    const command = serverOptions().run.command;
    vscode.window.showErrorMessage(
      `crossfoot: cannot start \`${command} lsp\` (${error}). Install crossfoot (\`cargo install --path .\` in its repository) or set "crossfoot.server.path".`
    );
  }
}

async function restart() {
  if (client) {
    const running = client;
    client = undefined;
    await running.stop().catch(() => undefined);
  }
  await start();
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('crossfoot.restartServer', restart),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('crossfoot.server')) {
        restart();
      }
    })
  );
  await start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
