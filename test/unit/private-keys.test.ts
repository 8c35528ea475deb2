/** The detectors of no-private-key-material: key blocks, key file names and places. */
import * as assert from 'node:assert/strict';
import { isKeyFileName, privateKeyBlocks, privateKeyPlace } from '../../rules/no-private-key-material';

const BODY = 'MIIEpAIBAAKCAQEA0FAKEKEYFORTESTSONLY000000000000';

describe('no-private-key-material detectors', () => {
  describe('privateKeyBlocks', () => {
    it('finds PEM, OpenSSH, PKCS#8, encrypted and PGP keys, through to their END line', () => {
      for (const kind of ['RSA PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'PGP PRIVATE KEY BLOCK']) {
        const text = `x: |\n  -----BEGIN ${kind}-----\n  ${BODY}\n  -----END ${kind}-----\ny: 1\n`;
        const found = privateKeyBlocks(text);
        assert.equal(found.length, 1, kind);
        assert.equal(found[0].kind, kind);
        assert.equal(text.slice(found[0].range.start, found[0].range.end), `-----BEGIN ${kind}-----\n  ${BODY}\n  -----END ${kind}-----`);
      }
    });
    it('reads keys written with \\n escapes and after Proc-Type headers', () => {
      assert.equal(privateKeyBlocks(`"-----BEGIN RSA PRIVATE KEY-----\\n${BODY}\\n-----END RSA PRIVATE KEY-----"`).length, 1);
      assert.equal(privateKeyBlocks(`-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,ABCDEF\n\n${BODY}\n`).length, 1);
    });
    it('ignores markers without key data, public keys and certificates', () => {
      assert.equal(privateKeyBlocks('grep -q "-----BEGIN RSA PRIVATE KEY-----" key.pem').length, 0);
      assert.equal(privateKeyBlocks('-----BEGIN RSA PRIVATE KEY-----\n${var.key}\n-----END RSA PRIVATE KEY-----').length, 0);
      assert.equal(privateKeyBlocks('-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----').length, 0);
      assert.equal(privateKeyBlocks(`-----BEGIN PUBLIC KEY-----\n${BODY}\n-----END PUBLIC KEY-----`).length, 0);
      assert.equal(privateKeyBlocks(`-----BEGIN CERTIFICATE-----\n${BODY}\n-----END CERTIFICATE-----`).length, 0);
    });
  });

  describe('isKeyFileName', () => {
    for (const n of ['id_rsa', 'id_ed25519', 'id_ecdsa_sk', 'deploy.pem', 'server.key', 'putty.ppk', 'tls.KEY']) it(`key: ${n}`, () => assert.ok(isKeyFileName(n)));
    for (const n of ['id_rsa.pub', 'ca.pem', 'cacert.pem', 'cert.pem', 'fullchain.pem', 'global-bundle.pem', 'AmazonRootCA1.pem', 'docker.gpg.key', 'web.key.enc', 'readme.md']) {
      it(`not a key: ${n}`, () => assert.ok(!isKeyFileName(n)));
    }
  });

  describe('privateKeyPlace', () => {
    const cases: [string, string | null][] = [
      ['~/.ssh/id_rsa', 'home'],
      ['$HOME/keys/deploy.pem', 'home'],
      ['/home/ec2-user/.ssh/id_rsa', 'home'],
      ['/root/deploy.key', 'home'],
      ['/Users/me/Downloads/prod.pem', 'home'],
      ['/tmp/deploy.pem', 'temp'],
      ['/var/tmp/id_ed25519', 'temp'],
      ['${path.module}/.ssh/deploy', 'ssh'],
      ['${pathexpand("~")}/.ssh/runner', 'home'],
      ['~/.ssh/deploy_key', 'home'],
      ['~/.ssh/id_rsa.pub', null],
      ['~/.ssh/authorized_keys', null],
      ['/home/ec2-user/.ssh/known_hosts', null],
      ['~/.ssh/config', null],
      ['~/.ssh/', null],
      ['/tmp/ca.pem', null],
      ['/tmp/data.json', null],
      ['/etc/ssl/private/server.key', null],
      ['/etc/ssh/ssh_host_rsa_key', null],
      ['~/.ssh/${var.name}', null],
    ];
    for (const [p, want] of cases) it(`${p} → ${want}`, () => assert.equal(privateKeyPlace(p), want));
    it('any file name counts when the caller knows it is a key path', () => {
      assert.equal(privateKeyPlace('/home/ci/deploy'), null);
      assert.equal(privateKeyPlace('/home/ci/deploy', true), 'home');
    });
  });
});
