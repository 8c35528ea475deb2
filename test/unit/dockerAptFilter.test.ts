/**
 * `mayRunAptInstall` (rules/lib/docker.ts) says false only for RUNs none of
 * whose shell commands is an apt install: docker-update-with-install skips
 * reading those as shell. Checked on every RUN of the fixtures, on disguised
 * installs (quotes, escapes, `sh -c`, heredocs, exec form with JSON escapes)
 * and on random RUNs built from such pieces.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { parseDockerfile } from '../../server/engine/dockerfile/parser';
import { initShell, runCommands } from '../../server/engine/dockerfile/shell';
import { mayRunAptInstall, packageCommand } from '../../rules/lib/docker';
import type { DfInstruction } from '../../server/engine/dockerfile/model';
import { dockerfileFixtures } from '../helpers/engine';
import { randomJoin, rng } from '../helpers/random';

const aptInstall = (i: DfInstruction) => runCommands(i).some((c) => {
  const p = packageCommand(c);
  return p !== null && p.manager === 'apt' && p.sub === 'install';
});

const runsOf = (text: string) => parseDockerfile('/x/Dockerfile', text).instructions.filter((i) => i.keyword === 'RUN');

/** The property: no apt install where the filter says there is none. */
function check(text: string): void {
  for (const i of runsOf(text)) {
    if (!mayRunAptInstall(i)) assert.equal(aptInstall(i), false, JSON.stringify(i.argsText));
  }
}

const DISGUISED = [
  'RUN a\\pt-get in\\stall -y x',
  'RUN "apt-get" \'install\' x',
  'RUN ap"t"-get i\'n\'stall x',
  'RUN $\'apt\'-get $"install" x',
  'RUN apt-get INSTALL x',
  'RUN /usr/bin/apt install x',
  'RUN sudo -u root apt-get install x',
  'RUN sh -c "ap\\"t\\"-get in\\\\stall x"',
  'RUN ["apt-get", "\\u0069nstall", "x"]',
  'RUN ["sh", "-c", "a\\u0070t-get install x"]',
  'RUN <<EOF\nap"t"-get \\\n  in\\stall x\nEOF',
  'RUN apt-get \\\n    install x',
  'RUN bash -c \'apt-get "install" x\'',
];

const PIECES = [
  'apt-get', 'apt', 'install', 'a', 'p', 't', '-get', 'in', 'stall', ' ', '"', "'", '\\', '$', '$\'', '\\\n  ', '&&', ';', 'sh -c "', 'bash -c \'',
  'sudo ', 'env A=1 ', 'INSTALL', '/usr/bin/', 'x', '\n',
];

describe('mayRunAptInstall: RUNs that cannot hold an apt install', () => {
  before(() => initShell());

  it('lets through every disguised apt install', () => {
    for (const run of DISGUISED) {
      const [i] = runsOf(`FROM debian\n${run}\n`);
      assert.equal(aptInstall(i), true, `premise: ${run} installs with apt`);
      assert.equal(mayRunAptInstall(i), true, run);
    }
  });

  it('holds on every RUN of the fixtures', () => {
    const files = dockerfileFixtures();
    let skipped = 0;
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      check(text);
      skipped += runsOf(text).filter((i) => !mayRunAptInstall(i)).length;
    }
    assert.ok(skipped > 20, `skipped ${skipped}`);
  });

  it('holds on random RUNs', () => {
    const next = rng(3);
    for (let n = 0; n < 1500; n++) {
      check(`FROM debian\nRUN ${randomJoin(next, PIECES, 10)}\n`);
    }
  });
});
