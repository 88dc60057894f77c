import { describe, expect, it } from 'vitest';
import { detectPii } from './detect-pii.js';

const found = (text: string) => detectPii(text).map((m) => [m.kind, m.value]);

describe('credential detectors', () => {
  it.each([
    ['gitlab', 'token glpat-Ab3dEf6hIj9kLm2nOp5q', 'glpat-Ab3dEf6hIj9kLm2nOp5q'],
    ['stripe test', 'STRIPE=sk_test_4eC39HqLyjWDarjtT1zdp7dc', 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'],
    [
      'npm',
      '//registry.npmjs.org/:_authToken=npm_aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hI6',
      'npm_aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hI6',
    ],
    ['google oauth', 'token ya29.a0AfH6SMBx3kL9mN2pQ5rS8tU1vW4yZ7', 'ya29.a0AfH6SMBx3kL9mN2pQ5rS8tU1vW4yZ7'],
    [
      'aws secret by name',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    ],
    [
      'azure account key',
      'AccountName=x;AccountKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==;EndpointSuffix=core.windows.net',
      'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==',
    ],
    ['azure api key header', 'api-key: 0f3c9a7e5b1d4c2a8e6f0b9d7c5a3e1f', '0f3c9a7e5b1d4c2a8e6f0b9d7c5a3e1f'],
  ])('finds a %s as a secret key', (_name, text, value) => {
    expect(found(text)).toEqual([['secret-key', value]]);
  });

  it('finds the password of a connection URL, not the URL user info as an e-mail address', () => {
    expect(found('DATABASE_URL=postgres://app:Tr0ub4dor-3xyz@db.example.com:5432/app')).toEqual([
      ['password', 'Tr0ub4dor-3xyz'],
    ]);
    expect(found('Server=sql01;User Id=hr;Password=S3cure!pw2;')).toEqual([['password', 'S3cure!pw2']]);
  });

  it('leaves placeholders, references and public keys alone', () => {
    for (const text of [
      'DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app',
      'export AWS_SECRET_ACCESS_KEY=<your-secret-key>',
      'Authorization: Bearer YOUR_TOKEN_HERE',
      'git clone git@github.com:acme/agentd.git',
      '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----',
    ]) {
      expect(found(text), text).toEqual([]);
    }
  });
});

describe('phone numbers with a country code', () => {
  it('accepts lengths the country plan allows and refuses others (libphonenumber)', () => {
    expect(found('call +44 7700 900123')).toEqual([['phone', '+44 7700 900123']]);
    expect(found('call 0044 20 7946 0958')).toEqual([['phone', '0044 20 7946 0958']]);
    // Germany has no 14-digit numbers: ten digits after +49 is possible, fourteen is not.
    expect(found('ref +49 3012 3456 7890 12')).toEqual([]);
  });

  it('does not take product codes for phone numbers', () => {
    expect(found('SKU 210-445-9981 is out of stock')).toEqual([]);
    expect(found('item 312-887-2041-XL in blue')).toEqual([]);
  });
});

// Each input is large enough that a pattern that backtracks catastrophically (exponential) or scans
// quadratically would not finish within the test's timeout; linear patterns take milliseconds.
describe('detectors on adversarial input', () => {
  const size = 200_000;
  const inputs: [string, string][] = [
    ['a long word', 'a'.repeat(size)],
    ['dotted words without @', 'a.'.repeat(size / 2)],
    ['many @', 'a@'.repeat(size / 2)],
    ['underscored key names', 'a_'.repeat(size / 2) + 'x'],
    ['digit groups', '1 '.repeat(size / 2)],
    ['dashed digits', '12-'.repeat(size / 3)],
    ['plus digits', '+1 '.repeat(size / 3)],
    ['colons and hex', 'a:'.repeat(size / 2)],
    ['scheme-like', 'a://a:'.repeat(size / 6)],
    ['dotted octets', '1.'.repeat(size / 2)],
    ['BEGIN without END', '-----BEGIN PRIVATE KEY-----\n' + 'QUJD\n'.repeat(size / 5)],
    ['many BEGINs', '-----BEGIN PRIVATE KEY-----'.repeat(size / 27)],
    ['api key names', 'api_key='.repeat(size / 8)],
    ['password keys', 'password=;'.repeat(size / 10)],
    ['bearer', 'Bearer '.repeat(size / 7)],
    ['jwt-like', 'eyJaaaaaaaaa.'.repeat(size / 13)],
    ['IBAN-like', 'DE89 '.repeat(size / 5)],
  ];
  it.each(inputs)('scans %s in linear time', { timeout: 10_000 }, (_name, text) => {
    expect(Array.isArray(detectPii(text))).toBe(true);
  });
});
