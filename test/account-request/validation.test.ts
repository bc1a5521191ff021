import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import {
  type AccountRequestForm,
  isValidPhone,
  isValidSiret,
  luhnValid,
  multiLine,
  oneLine,
  validateAccountRequest,
} from '../../src/modules/account-request/account-request.service.js';

const FORM: AccountRequestForm = {
  raison_sociale: 'Librairie du Port',
  code_client: '',
  siret: '732 829 320 00074',
  nom: 'Martin',
  prenom: 'Claire',
  email: 'claire.martin@librairie-du-port.fr',
  telephone: '02 98 12 34 56',
  adresse: '',
  code_postal: '',
  ville: '',
  pays: '',
  message: '',
};

describe('account request validation', () => {
  test('SIRET: 14 digits with the Luhn checksum (La Poste’s own rule too)', () => {
    assert.equal(luhnValid('73282932000074'), true);
    for (const [siret, valid] of [
      ['73282932000074', true],
      ['73282932000075', false],
      ['35600000000048', true], // La Poste head office (Luhn)
      ['35600000049837', true], // a La Poste establishment: sum of digits multiple of 5
      ['35600000049838', false],
      ['00000000000000', false],
      ['7328293200007', false],
      ['7328293200007A', false],
    ] as const) {
      assert.equal(isValidSiret(siret), valid, siret);
    }
  });

  test('phone: French numbers have 10 digits; international numbers start with + or 00', () => {
    for (const [phone, valid] of [
      ['01 23 45 67 89', true],
      ['0123456789', true],
      ['06.12.34.56.78', true],
      ['06-12-34-56-78', true],
      ['+33 1 23 45 67 89', true],
      ['+33 (0)6 12 34 56 78', true],
      ['0033 6 12 34 56 78', true],
      ['+44 20 7946 0958', true],
      ['０１ ２３ ４５ ６７ ８９', true],
      ['01 23 45 67', false],
      ['01 23 45 67 89 10', false],
      ['10 23 45 67 89', false],
      ['+33 6 12 34 56', false],
      ['+33 0 12 34 56 78', false],
      ['06 12 34 56 7a', false],
      ['06 12 34 56 78 +', false],
      ['+', false],
      ['tel:0612345678', false],
    ] as const) {
      assert.equal(isValidPhone(phone), valid, phone);
    }
  });

  test('one-line fields fold every line break and control character into a space (S26); the message keeps its lines', () => {
    assert.equal(oneLine('  ACME\r\nBcc: x@y.fr\u2028\u0000 SA '), 'ACME Bcc: x@y.fr SA');
    assert.equal(multiLine('Bonjour,\r\n\r\nMerci\u0007 !\r'), 'Bonjour,\n\nMerci !');
  });

  test('a valid form is cleaned: SIRET without spaces, empty optional fields as null', () => {
    const result = validateAccountRequest({ ...FORM, code_client: ' １２３４５ ', raison_sociale: '  Librairie   du Port ' });
    assert.ok(result.ok);
    assert.equal(result.value.siret, '73282932000074');
    assert.equal(result.value.customerCode, '12345');
    assert.equal(result.value.company, 'Librairie du Port');
    assert.equal(result.value.address, null);
    assert.equal(result.value.message, null);
  });

  test('one error per field, in the order of the form; lengths counted in characters', () => {
    const result = validateAccountRequest({ ...FORM, raison_sociale: '', telephone: 'x', siret: '1', message: '😀'.repeat(2000) });
    assert.ok(!result.ok);
    assert.deepEqual(
      result.errors.map((e) => [e.field, e.code]),
      [
        ['raison_sociale', 'REQUIRED'],
        ['siret', 'SIRET_LENGTH'],
        ['telephone', 'PHONE_FORMAT'],
      ],
    );
    const long = validateAccountRequest({ ...FORM, message: '😀'.repeat(2001), nom: 'n'.repeat(81) });
    assert.ok(!long.ok);
    assert.deepEqual(
      long.errors.map((e) => (e.code === 'TOO_LONG' ? [e.field, e.max, e.length] : e.code)),
      [
        ['nom', 80, 81],
        ['message', 2000, 2001],
      ],
    );
  });

  test('CUSTOMER_SERVICE_EMAIL: service-client@localhost by default, one address on one line or a clear error', () => {
    assert.equal(loadConfig({}).customerServiceEmail, 'service-client@localhost');
    assert.equal(loadConfig({ CUSTOMER_SERVICE_EMAIL: ' sav@cartotheque.com ' }).customerServiceEmail, 'sav@cartotheque.com');
    for (const bad of ['pas-une-adresse', 'a@b.fr\nBcc: x@y.fr', 'a@b.fr, c@d.fr', 'Service <a@b.fr>']) {
      assert.throws(
        () => loadConfig({ CUSTOMER_SERVICE_EMAIL: bad }),
        (e: unknown) => e instanceof ConfigError && /^CUSTOMER_SERVICE_EMAIL: expected one e-mail address/.test(e.message),
        bad,
      );
    }
  });
});
