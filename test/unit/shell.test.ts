import * as assert from 'node:assert/strict';
import type { DfInstruction } from '../../server/engine/dockerfile/model';
import { parseDockerfile } from '../../server/engine/dockerfile/parser';
import { initShell, runCommands, splitShell, type ShellCommand } from '../../server/engine/dockerfile/shell';

const argv = (text: string) => splitShell(text).map((c) => c.argv.map((w) => w.text));
const slice = (text: string, r: { start: number; end: number }) => text.slice(r.start, r.end);

describe('RUN shell parser', () => {
  before(() => initShell());

  it('splits on &&, ||, ;, |, & and line breaks', () => {
    assert.deepEqual(argv('a 1 && b 2 || c; d | e & f\ng'), [['a', '1'], ['b', '2'], ['c'], ['d'], ['e'], ['f'], ['g']]);
  });

  it('respects quotes and escapes', () => {
    assert.deepEqual(argv(`echo "a && b; c" 'd | e' f\\;g "x\\"y" $'q'`), [['echo', 'a && b; c', 'd | e', 'f;g', 'x"y', 'q']]);
  });

  it('keeps expansions and command substitutions inside words', () => {
    assert.deepEqual(argv('echo $(a && b) ${X:-y;z} `c; d` "v=$(e "f")" && g'), [
      ['echo', '$(a && b)', '${X:-y;z}', '`c; d`', 'v=$(e "f")'],
      ['g'],
    ]);
  });

  it('drops comments, redirections, assignments and wrappers from argv', () => {
    assert.deepEqual(argv('# go build\nCGO_ENABLED=0 GOOS=linux go build >log 2>&1 2> err'), [['go', 'build']]);
    assert.deepEqual(argv('env -u A B=1 exec nohup time cargo build'), [['cargo', 'build']]);
    assert.deepEqual(argv('sudo -u app -E make install'), [['make', 'install']]);
  });

  it('reads the commands inside compound commands, and nothing for their keywords', () => {
    assert.deepEqual(argv('if [ -f x ]; then sudo -u app make; fi'), [['make']]);
    assert.deepEqual(argv('for f in a b; do gcc $f; done'), [['gcc', '$f']]);
    assert.deepEqual(argv('(cd /x && make) | tee log'), [['cd', '/x'], ['make'], ['tee', 'log']]);
    assert.deepEqual(argv('f() { apk add x; }; case $A in a) pip install y;; esac'), [['apk', 'add', 'x'], ['pip', 'install', 'y']]);
  });

  it('keeps assignments and wrappers apart', () => {
    const [c] = splitShell('DEBIAN_FRONTEND=noninteractive sudo env LANG=C apt-get install -y x');
    assert.deepEqual(c.assignments, [{ name: 'DEBIAN_FRONTEND', value: 'noninteractive' }, { name: 'LANG', value: 'C' }]);
    assert.deepEqual(c.wrappers.map((w) => w.text), ['sudo', 'env', 'LANG=C']);
    assert.deepEqual(c.argv.map((w) => w.text), ['apt-get', 'install', '-y', 'x']);
  });

  it('parses the script of sh -c, bash -ec and bash -o pipefail -c', () => {
    assert.deepEqual(argv(`sh -c 'make && gcc -o x x.c' && bash -ec "go build"`), [['make'], ['gcc', '-o', 'x', 'x.c'], ['go', 'build']]);
    assert.deepEqual(argv(`bash -o pipefail -c "curl x | sh && apt-get install -y \\"a b\\""`), [['curl', 'x'], ['sh'], ['apt-get', 'install', '-y', 'a b']]);
    // Not a script: a file to run.
    assert.deepEqual(argv('bash ./install.sh -c'), [['bash', './install.sh', '-c']]);
  });

  it('gives each command its and-or element, chain and connector', () => {
    const text = 'a && yes | b >log || ! c; d';
    const cmds = splitShell(text);
    const view = (c: ShellCommand) => [c.argv[0].text, slice(text, c.element), slice(text, c.chain), c.connector, c.topLevel];
    assert.deepEqual(cmds.map(view), [
      ['a', 'a', 'a && yes | b >log || ! c', null, true],
      ['yes', 'yes | b >log', 'a && yes | b >log || ! c', '&&', true],
      ['b', 'yes | b >log', 'a && yes | b >log || ! c', '&&', true],
      ['c', '! c', 'a && yes | b >log || ! c', '||', true],
      ['d', 'd', 'd', null, true],
    ]);
    const nested = splitShell('if true; then a && b; fi');
    assert.deepEqual(nested.map((c) => c.topLevel), [false, false, false]);
  });

  it('gives words and commands file offsets through the map', () => {
    const input = 'go build  &&  make';
    const map = Array.from({ length: input.length + 1 }, (_, i) => 100 + i);
    const cmds = splitShell(input, map);
    assert.deepEqual(cmds.map((c) => c.range), [{ start: 100, end: 108 }, { start: 114, end: 118 }]);
    assert.deepEqual(cmds[0].words.map((w) => w.range), [{ start: 100, end: 102 }, { start: 103, end: 108 }]);
    const quoted = splitShell(`sh -c 'a && b'`);
    assert.deepEqual(quoted.map((c) => c.range), [{ start: 7, end: 8 }, { start: 12, end: 13 }]);
    // Inside double quotes, an escaped character maps to its escape sequence.
    const escaped = `sh -c "echo \\"x\\" && b"`;
    const [echo, b] = splitShell(escaped);
    assert.equal(slice(escaped, echo.range), 'echo \\"x\\"');
    assert.equal(slice(escaped, b.chain), 'echo \\"x\\" && b');
  });

  it('counts positions in UTF-16 code units', () => {
    const text = 'echo "é😀" && apt-get install x';
    const [, c] = splitShell(text);
    assert.equal(slice(text, c.argv[1].range), 'install');
  });

  it('never throws on broken scripts, and still finds the commands it can', () => {
    for (const s of ['(((', 'a && && b', "echo 'unclosed", 'if then fi', '$(', '\u0000\ud800', 'cat <<EOF']) splitShell(s);
    assert.deepEqual(argv('apt-get install x && (( '), [['apt-get', 'install', 'x']]);
  });

  describe('runCommands', () => {
    const text = [
      'FROM golang:1.22',
      'RUN --mount=type=cache,target=/go CGO_ENABLED=0 \\',
      '    go build -o /out/app . && \\',
      '    # comment',
      '    make',
      'RUN ["go", "build", "-o", "/x"]',
      'RUN ["/bin/sh", "-c", "cargo build && gcc x.c"]',
      'RUN <<EOF',
      'mvn package',
      'EOF',
      'RUN python3 <<PY',
      'import make',
      'PY',
      'RUN <<EOF',
      '#!/usr/bin/env python3',
      'print("go build")',
      'EOF',
      'RUN bash <<EOF',
      'gradle build',
      'EOF',
      'RUN ["sh", "-c", "echo \\"a\\" && apt-get install x"]',
      'RUN cat <<EOF > /etc/x && apt-get install y',
      'apt-get install z',
      'EOF',
      'CMD make',
      '',
    ].join('\n');
    const df = parseDockerfile('Dockerfile', text);
    const runs = df.instructions.filter((i) => i.keyword === 'RUN');
    const cmds = (i: DfInstruction) => runCommands(i).map((c) => c.argv.map((w) => w.text));

    it('reads shell form across continuations with exact word ranges', () => {
      const c = runCommands(runs[0]);
      assert.deepEqual(c.map((x) => x.argv.map((w) => w.text)), [['go', 'build', '-o', '/out/app', '.'], ['make']]);
      assert.equal(slice(text, c[0].range), 'CGO_ENABLED=0 \\\n    go build -o /out/app .');
      assert.equal(slice(text, { start: c[0].argv[0].range.start, end: c[0].argv[4].range.end }), 'go build -o /out/app .');
      assert.equal(slice(text, c[1].range), 'make');
      assert.equal(c[1].connector, '&&');
      assert.ok(slice(text, c[1].chain).endsWith('make'));
      assert.equal(c[0].form, 'shell');
    });

    it('reads exec form, and the script of sh -c in exec form', () => {
      assert.deepEqual(cmds(runs[1]), [['go', 'build', '-o', '/x']]);
      const c = runCommands(runs[1]);
      assert.equal(slice(text, c[0].argv[1].range), '"build"');
      assert.equal(c[0].form, 'exec');
      assert.deepEqual(cmds(runs[2]), [['cargo', 'build'], ['gcc', 'x.c']]);
      const sc = runCommands(runs[2]);
      assert.equal(slice(text, sc[1].range), 'gcc x.c');
      // JSON escapes are mapped exactly.
      const esc = runCommands(runs[7]);
      assert.deepEqual(esc.map((x) => x.argv.map((w) => w.text)), [['echo', 'a'], ['apt-get', 'install', 'x']]);
      assert.equal(slice(text, esc[0].range), 'echo \\"a\\"');
      assert.equal(slice(text, esc[1].argv[1].range), 'install');
    });

    it('reads heredoc bodies that the shell runs, and only those', () => {
      assert.deepEqual(cmds(runs[3]), [['mvn', 'package']]);
      assert.equal(slice(text, runCommands(runs[3])[0].range), 'mvn package');
      assert.deepEqual(cmds(runs[4]), [['python3']]);
      assert.deepEqual(cmds(runs[5]), []);
      assert.deepEqual(cmds(runs[6]), [['bash'], ['gradle', 'build']]);
      // A body fed to `cat` is data.
      assert.deepEqual(cmds(runs[8]), [['cat'], ['apt-get', 'install', 'y']]);
    });

    it('returns nothing for other instructions, and the same result twice', () => {
      assert.deepEqual(runCommands(df.instructions.find((i) => i.keyword === 'CMD')!), []);
      assert.equal(runCommands(runs[0]), runCommands(runs[0]));
    });

    it('reads a file with the backquote escape character', () => {
      const win = '# escape=`\nFROM x\nRUN apt-get update && `\n    apt-get install -y curl\n';
      const d = parseDockerfile('Dockerfile', win);
      const c = runCommands(d.instructions[1]);
      assert.deepEqual(c.map((x) => x.argv.map((w) => w.text)), [['apt-get', 'update'], ['apt-get', 'install', '-y', 'curl']]);
      assert.equal(slice(win, c[1].range), 'apt-get install -y curl');
    });
  });
});
