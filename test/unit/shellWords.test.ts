/**
 * Word values read without looking for expansions below words whose text
 * cannot hold one (shell.ts `mayExpand`) equal those read with the search on
 * every word, on the RUN scripts of the fixtures and on random scripts.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { parseDockerfile } from '../../server/engine/dockerfile/parser';
import { initShell, shellTesting, splitShell } from '../../server/engine/dockerfile/shell';
import { dockerfileFixtures } from '../helpers/engine';
import { randomJoin, rng } from '../helpers/random';

const PIECES = [
  'echo', ' ', 'a', '"', "'", '$X', '${X:-y}', '$(b c)', '`d e`', '$((1+2))', '$[3]', '<(f)', '>(g)', '(', ')', '\\', '\\\n', '$\'q\'', '$"t"',
  ' && ', ' || ', '; ', ' | ', '\n', 'sh -c "', 'bash -ec \'', 'x=1 ', 'sudo ', '>log', '2>&1', '<<EOF\nbody $Y\nEOF\n', '`f "g"`', '<(h "i")', 'a"`j \'k\'`"', '#', '{ ', ' }', 'if true; then ', '; fi',
];

function both(script: string): void {
  const fast = splitShell(script);
  shellTesting.everyWord = true;
  try {
    assert.deepEqual(fast, splitShell(script), JSON.stringify(script));
  } finally {
    shellTesting.everyWord = false;
  }
}

describe('shell words: expansions looked for only where the text can hold one', () => {
  before(() => initShell());

  it('equals the search on every word: RUN scripts of the fixtures', () => {
    const files = dockerfileFixtures();
    let runs = 0;
    for (const f of files) {
      const df = parseDockerfile(f, fs.readFileSync(f, 'utf8'));
      for (const i of df.instructions) {
        if (i.keyword !== 'RUN') continue;
        both(i.argsText);
        runs++;
      }
    }
    assert.ok(runs > 50);
  });

  it('equals the search on every word: random scripts', () => {
    const next = rng(5);
    for (let n = 0; n < 600; n++) {
      both(randomJoin(next, PIECES, 14));
    }
  });

  it('finds the expansions it has to keep', () => {
    const script = 'echo a"$(b "c d")"e x"`f "g"`" y<(h "i") `j "k"`';
    both(script);
    assert.deepEqual(splitShell(script).map((c) => c.argv.map((w) => w.text)), [['echo', 'a$(b "c d")e', 'x`f "g"`', 'y', '<(h i)', '`j k`']]);
  });
});
