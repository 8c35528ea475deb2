import * as assert from 'node:assert/strict';
import type { TfModule } from '../../server/engine/terraform/model';
import { moduleKey } from '../../server/engine/terraform/moduleKey';
import { initTerraform, parseTerraform } from '../../server/engine/terraform/parser';
import { KEY_PLACE_MARK, privateKeyPlace } from '../../rules/no-private-key-material';
import { tfIamGraph } from '../../rules/lib/iamGraph';
import { engineFor, memoryWorkspace } from '../helpers/engine';

const MAIN = `resource "aws_iam_user" "a" {
  name = "a"
}

resource "aws_iam_user_policy_attachment" "a" {
  user       = aws_iam_user.a.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
`;
const VARS = 'variable "region" {\n  default = "eu-west-1"\n}\n';

describe('moduleKey', () => {
  before(async () => {
    await initTerraform();
  });

  it('is the same for modules of the same parsed files, in the same order and folder', () => {
    const main = parseTerraform('/m/main.tf', MAIN);
    const vars = parseTerraform('/m/variables.tf', VARS);
    const a: TfModule = { dir: '/m', files: [main, vars] };
    const b: TfModule = { dir: '/m', files: [main, vars] };
    assert.notEqual(a, b);
    assert.equal(moduleKey(a), moduleKey(b));
    assert.equal(moduleKey(a), moduleKey({ dir: '/m', files: [...a.files] }));
  });

  it('differs as soon as one file is another parse, the order, the folder or the set of files differ', () => {
    const main = parseTerraform('/m/main.tf', MAIN);
    const vars = parseTerraform('/m/variables.tf', VARS);
    const key = moduleKey({ dir: '/m', files: [main, vars] });
    // The same text parsed again is another (immutable) object: never the old key.
    const again = parseTerraform('/m/variables.tf', VARS);
    assert.notEqual(moduleKey({ dir: '/m', files: [main, again] }), key);
    assert.notEqual(moduleKey({ dir: '/m', files: [vars, main] }), key);
    assert.notEqual(moduleKey({ dir: '/other', files: [main, vars] }), key);
    assert.notEqual(moduleKey({ dir: '/m', files: [main] }), key);
    assert.notEqual(moduleKey({ dir: '/m', files: [main, vars, again] }), key);
    // Still the same for the original files.
    assert.equal(moduleKey({ dir: '/m', files: [main, vars] }), key);
  });

  it('a module without files is its own key', () => {
    const m: TfModule = { dir: '/m', files: [] };
    assert.equal(moduleKey(m), m);
    assert.notEqual(moduleKey({ dir: '/m', files: [] }), moduleKey(m));
  });

  it('module-wide facts are shared by the files of one module and rebuilt when a file changes', () => {
    const main = parseTerraform('/m/main.tf', MAIN);
    const vars = parseTerraform('/m/variables.tf', VARS);
    const g = tfIamGraph({ dir: '/m', files: [main, vars] });
    assert.equal(tfIamGraph({ dir: '/m', files: [main, vars] }), g);
    assert.ok(g.principals.has('aws_iam_user.a'));
    const changed = parseTerraform('/m/main.tf', MAIN.replace(/"a"/g, '"b"').replace(/\.a\./g, '.b.'));
    const g2 = tfIamGraph({ dir: '/m', files: [changed, vars] });
    assert.notEqual(g2, g);
    assert.ok(g2.principals.has('aws_iam_user.b'));
    assert.ok(!g2.principals.has('aws_iam_user.a'));
  });

  it('linting the files of a module one after another gives the findings of linting each alone', async () => {
    const main = MAIN + MAIN.replace(/"a"/g, '"b"').replace(/\.a\./g, '.b.') + MAIN.replace(/"a"/g, '"c"').replace(/\.a\./g, '.c.');
    const files = [{ path: '/m/main.tf', text: main }, { path: '/m/variables.tf', text: VARS }];
    const workspace = memoryWorkspace(files);
    const engine = await engineFor();
    const together = files.map((f) => JSON.stringify(engine.lint(f, workspace)?.findings));
    const alone: string[] = [];
    for (const f of files) alone.push(JSON.stringify((await engineFor()).lint(f, workspace)?.findings));
    assert.deepEqual(together, alone);
    assert.match(together[0], /iam-admin-count/);
  });
});

describe('no-private-key-material: the Terraform prefilter', () => {
  // Every path privateKeyPlace places holds one of the marks the Terraform handler
  // looks for before scanning strings.
  const paths = [
    '~/.ssh/id_rsa', '$HOME/keys/a.pem', '${HOME}/a.key', '%USERPROFILE%\\a.ppk', '/home/u/a.pem', '/Users/u/id_ed25519',
    '/root/a.pem', 'C:\\Users\\u\\a.ppk', 'c:/Users/u/a.key', '/tmp/a.pem', '/var/tmp/id_rsa', '/dev/shm/k.key', '$TMPDIR/a.pem',
    '${TMPDIR}/a.pem', '%TEMP%\\a.pem', '/opt/app/.ssh/deploy', 'file:///home/u/a.pem', '${pathexpand("~/.ssh/id_rsa")}', '/tmp/a.pem.,',
  ];
  for (const p of paths) {
    it(`${p}: placed, and marked`, () => {
      assert.notEqual(privateKeyPlace(p, true), null);
      assert.match(p, KEY_PLACE_MARK);
    });
  }
});
