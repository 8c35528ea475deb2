/** discovery.ts: candidate files of a folder, honouring .gitignore, globs, ignore lists and a size limit. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { discover, formatOfName, PathFilter, sniff } from '../../server/engine/discovery';

function tree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const p = nodePath.join(root, rel);
    fs.mkdirSync(nodePath.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
}

describe('discovery', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'iac-lint-disc-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
  const rel = (events: { path: string }[]) => events.map((e) => nodePath.relative(root, e.path).split(nodePath.sep).join('/'));

  it('finds candidates by name, in a stable order, skipping dependency folders', () => {
    tree(root, {
      'b/main.tf': '', 'a/Dockerfile': '', 'a/Dockerfile.prod': '', 'a/app.dockerfile': '', 't.yaml': '', 't.json': '',
      'README.md': '', 'package.json': '{}', 'node_modules/x/main.tf': '', '.terraform/modules/m/main.tf': '', 'c/Containerfile': '',
    });
    const files = [...discover(root)].filter((e) => e.kind === 'file');
    assert.deepEqual(rel(files), ['t.json', 't.yaml', 'a/Dockerfile', 'a/Dockerfile.prod', 'a/app.dockerfile', 'b/main.tf', 'c/Containerfile']);
    assert.deepEqual(files.map((f) => (f as { format: string }).format), ['cloudformation', 'cloudformation', 'dockerfile', 'dockerfile', 'dockerfile', 'terraform', 'dockerfile']);
  });

  it('honours nested .gitignore files with negation, and a repository root above the folder', () => {
    tree(root, {
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.gitignore': 'build/\n*.generated.yaml\n',
      'ws/.gitignore': 'tmp/\n!keep.generated.yaml\n',
      'ws/a.yaml': '', 'ws/x.generated.yaml': '', 'ws/keep.generated.yaml': '', 'ws/build/b.tf': '', 'ws/tmp/c.tf': '', 'ws/sub/d.tf': '',
    });
    assert.deepEqual(rel([...discover(nodePath.join(root, 'ws'))]), ['ws/a.yaml', 'ws/keep.generated.yaml', 'ws/sub/d.tf']);
    assert.deepEqual(rel([...discover(nodePath.join(root, 'ws'), { gitignore: false })]).length, 6);
  });

  it('applies files.exclude globs and config ignore lists, and reports files over the size limit', () => {
    tree(root, { 'gen/a.tf': '', 'src/b.tf': '', 'legacy/old.yaml': '', 'big.yaml': 'x'.repeat(2000), 'small.yaml': 'x' });
    const events = [...discover(root, { exclude: ['**/gen'], ignore: [{ base: root, patterns: ['legacy/'] }], maxFileBytes: 1000 })];
    assert.deepEqual(events.map((e) => `${e.kind} ${rel([e])[0]}`), ['too-large big.yaml', 'file small.yaml', 'file src/b.tf']);
  });

  it('PathFilter judges single paths like the walk (watched-file events)', () => {
    tree(root, { '.gitignore': 'out/\n', 'out/x.tf': '', 'in/y.tf': '' });
    const f = new PathFilter(root, { exclude: ['**/skip/**'] });
    assert.equal(f.isIgnored(nodePath.join(root, 'out', 'x.tf')), true);
    assert.equal(f.isIgnored(nodePath.join(root, 'out', 'deep', 'z.tf')), true);
    assert.equal(f.isIgnored(nodePath.join(root, 'in', 'y.tf')), false);
    assert.equal(f.isIgnored(nodePath.join(root, 'a', 'skip', 'y.tf')), true);
    assert.equal(f.isIgnored(nodePath.join(root, 'node_modules', 'm', 'y.tf')), true);
  });

  it('reports folders it cannot read instead of failing', function () {
    if (process.getuid?.() === 0) this.skip();
    tree(root, { 'ok/a.tf': '', 'locked/b.tf': '' });
    fs.chmodSync(nodePath.join(root, 'locked'), 0o000);
    try {
      const events = [...discover(root)];
      assert.deepEqual(events.map((e) => e.kind), ['unreadable', 'file']);
    } finally {
      fs.chmodSync(nodePath.join(root, 'locked'), 0o755);
    }
  });

  it('names and sniffing', () => {
    assert.equal(formatOfName('/x/package-lock.json'), null);
    assert.equal(formatOfName('/x/.iac-lint.yaml'), null);
    assert.equal(formatOfName('/x/stack.template'), 'cloudformation');
    assert.equal(sniff('cloudformation', 'on: push\njobs: {}\n'), false);
    assert.equal(sniff('cloudformation', 'Resources:\n  A:\n    Type: AWS::S3::Bucket\n'), true);
    assert.equal(sniff('terraform', ''), true);
  });
});
