// Print how the TextMate grammar scopes a file, token by token, as VS Code would:
//   npm install && npm run tokenize -- ../../rules/focus/cftc/1-segregation.xfoot
// Each token is `[text|scopes]` (the `.crossfoot` suffixes dropped); white space is bare.
'use strict';

const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const grammarPath = path.join(__dirname, '..', 'syntaxes', 'crossfoot.tmLanguage.json');
const samplePath = process.argv[2] || path.join(__dirname, 'sample.xfoot');

const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
const onigLib = oniguruma.loadWASM(wasm).then(() => ({
  createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
  createOnigString: (text) => new oniguruma.OnigString(text),
}));
const registry = new vsctm.Registry({
  onigLib,
  loadGrammar: async () => vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath),
});

registry.loadGrammar('source.crossfoot').then((grammar) => {
  let state = vsctm.INITIAL;
  for (const line of fs.readFileSync(samplePath, 'utf8').split('\n')) {
    const result = grammar.tokenizeLine(line, state);
    const shown = result.tokens.map((token) => {
      const text = line.substring(token.startIndex, token.endIndex);
      const scopes = token.scopes.slice(1).map((scope) => scope.replace(/\.crossfoot$/, ''));
      return scopes.length ? `[${text}|${scopes.join(' ')}]` : text;
    });
    console.log(shown.join(''));
    state = result.ruleStack;
  }
});
