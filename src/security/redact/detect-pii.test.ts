import { describe, expect, it } from 'vitest';
import { detectPii } from './detect-pii.js';
import type { PiiKind } from './pii-detectors.js';

/** The values of `kind` found in `text`, looking for that kind only. */
const found = (kind: PiiKind, text: string): string[] =>
  detectPii(text, { kinds: [kind] }).map((match) => match.value);

/** A fake token body of `length` characters; built at run time so secret scanners do not flag the test file. */
const body = (length: number): string => 'aB3xY9'.repeat(length).slice(0, length);

describe('detectPii: email', () => {
  it('finds ordinary addresses with dots, plus tags and subdomains', () => {
    expect(found('email', 'write to john.doe+news@mail.example.co.uk or to ops@x.io.')).toEqual([
      'john.doe+news@mail.example.co.uk',
      'ops@x.io',
    ]);
  });

  it('ignores handles, hosts without a top-level domain and a bare @', () => {
    expect(found('email', 'ping @alice, user@localhost, a @ b.com, name@.com')).toEqual([]);
  });
});

describe('detectPii: phone', () => {
  it('finds international and national formats with separators', () => {
    const text =
      'Call +1 (415) 555-0132, +44 20 7946 0958, 415-555-0132, (415) 555 0132, 1-800-555-0199, ' +
      '020 7946 0958, 01 23 45 67 89 or +4915112345678.';
    expect(found('phone', text)).toEqual([
      '+1 (415) 555-0132',
      '+44 20 7946 0958',
      '415-555-0132',
      '(415) 555 0132',
      '1-800-555-0199',
      '020 7946 0958',
      '01 23 45 67 89',
      '+4915112345678',
    ]);
  });

  it('ignores dates, times, versions and plain order numbers without separators', () => {
    const text =
      'Shipped 2026-11-22 10:30:00 (01.02.2026), order 4155550132, ts 1732269000123, v1.2.3, build 10.0.19045.1234';
    expect(found('phone', text)).toEqual([]);
  });

  it('ignores signed numbers, time-zone offsets and numbers with too few or too many digits', () => {
    expect(
      found('phone', 'delta +1234567.89, offset +01:00, 555-0132, +1 415 555 0132 0000 1111 22'),
    ).toEqual([]);
  });

  it('ignores 3-3-4 groups that the North American plan cannot issue', () => {
    expect(found('phone', 'codes 123-456-7890 and 415-055-0132')).toEqual([]);
  });
});

describe('detectPii: payment-card', () => {
  it('finds Luhn-valid numbers, compact or printed in groups', () => {
    const text =
      'Visa 4111 1111 1111 1111, 4111-1111-1111-1111, MC 5555555555554444, Amex 378282246310005 / 3782 822463 10005.';
    expect(found('payment-card', text)).toEqual([
      '4111 1111 1111 1111',
      '4111-1111-1111-1111',
      '5555555555554444',
      '378282246310005',
      '3782 822463 10005',
    ]);
  });

  it('ignores a number whose Luhn check digit is wrong', () => {
    expect(found('payment-card', 'card 4111 1111 1111 1112 and 5555555555554445')).toEqual([]);
  });

  it('finds two cards side by side and a card followed by a quantity', () => {
    expect(found('payment-card', '4111111111111111 5555555555554444; 4111 1111 1111 1111 12 times')).toEqual([
      '4111111111111111',
      '5555555555554444',
      '4111 1111 1111 1111',
    ]);
  });

  it('ignores millisecond timestamps, ids glued to letters and odd groupings', () => {
    // 1732269000123 and the 0-prefixed run pass Luhn but no card network issues numbers starting 1 or 0.
    const text = 'at 1732269000123, id 0000000000000000, hash 4111111111111111ab, 411 1111 1111 1111 1';
    expect(found('payment-card', text)).toEqual([]);
  });
});

describe('detectPii: iban', () => {
  it('finds compact and grouped IBANs with a valid mod-97 check', () => {
    const text = 'Pay DE89370400440532013000, GB82 WEST 1234 5698 7654 32 or DE89 3704 0044 0532 0130 00.';
    expect(found('iban', text)).toEqual([
      'DE89370400440532013000',
      'GB82 WEST 1234 5698 7654 32',
      'DE89 3704 0044 0532 0130 00',
    ]);
  });

  it('ignores an IBAN with a wrong check digit', () => {
    expect(found('iban', 'DE88370400440532013000 and GB83 WEST 1234 5698 7654 32')).toEqual([]);
  });

  it('stops a grouped IBAN before a following word that looks like one more group', () => {
    expect(found('iban', 'BE68 5390 0754 7034 EUR')).toEqual(['BE68 5390 0754 7034']);
  });
});

describe('detectPii: us-ssn', () => {
  it('finds a number in the AAA-GG-SSSS form', () => {
    expect(found('us-ssn', 'SSN 123-45-6789.')).toEqual(['123-45-6789']);
  });

  it('ignores the ranges never issued', () => {
    expect(found('us-ssn', '000-12-3456 666-12-3456 900-12-3456 123-00-4567 123-45-0000')).toEqual([]);
  });

  it('ignores the form inside longer numbers', () => {
    expect(found('us-ssn', '1123-45-6789 123-45-67890 123-45-6789-1')).toEqual([]);
  });
});

describe('detectPii: ip-address', () => {
  it('finds IPv4 addresses, also with a port or at the end of a sentence', () => {
    expect(found('ip-address', 'hosts 192.168.1.1, 10.0.0.1:8080 and 255.255.255.0.')).toEqual([
      '192.168.1.1',
      '10.0.0.1',
      '255.255.255.0',
    ]);
  });

  it('ignores out-of-range octets, semver, longer dotted numbers and prefixed versions', () => {
    expect(found('ip-address', '999.1.1.1 256.0.0.1 1.2.3 1.2.3.4.5 v1.2.3.4 01.02.03.04')).toEqual([]);
  });

  it('finds full and compressed IPv6 addresses', () => {
    const text =
      'v6 2001:0db8:0000:0000:0000:ff00:0042:8329, [2001:db8::8a2e:370:7334]:443, ::1, fe80::1%eth0, ::ffff:192.0.2.1';
    expect(found('ip-address', text)).toEqual([
      '2001:0db8:0000:0000:0000:ff00:0042:8329',
      '2001:db8::8a2e:370:7334',
      '::1',
      'fe80::1',
      '::ffff:192.0.2.1',
    ]);
  });

  it('ignores times, MAC addresses and code paths with ::', () => {
    expect(found('ip-address', '10:30:00 aa:bb:cc:dd:ee:ff std::vector f64::MAX Bad::add ::')).toEqual([]);
  });
});

describe('detectPii: secret-key', () => {
  it('finds provider keys by their prefixes', () => {
    const keys = [
      `sk-${body(48)}`,
      `sk-proj-${body(40)}`,
      `sk-ant-api03-${body(40)}`,
      `AKIA${'IOSFODNN7EXAMPLE'}`,
      `ghp_${body(36)}`,
      `gho_${body(36)}`,
      `ghs_${body(36)}`,
      `ghu_${body(36)}`,
      `github_pat_${body(22)}_${body(59)}`,
      `xoxb-1234567890-${body(24)}`,
      `sk_live_${body(24)}`,
      `rk_live_${body(24)}`,
      `AIza${body(35)}`,
    ];
    expect(found('secret-key', keys.join(' and '))).toEqual(keys);
  });

  it('finds a JWT', () => {
    const jwt = ['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0', body(43)].join('.');
    expect(found('secret-key', `token=${jwt}; path=/`)).toEqual([jwt]);
  });

  it('masks only the token after Bearer', () => {
    const token = body(32);
    const text = `Authorization: Bearer ${token}.`;
    expect(detectPii(text, { kinds: ['secret-key'] })).toEqual([
      {
        kind: 'secret-key',
        start: text.indexOf(token),
        end: text.indexOf(token) + token.length,
        value: token,
      },
    ]);
  });

  it('ignores words and placeholders after Bearer, sk- slugs and lookalike prefixes', () => {
    const text =
      'Use Bearer authentication with Bearer YOUR_API_KEY_HERE_PLEASE; sk-learn-is-a-python-package-name; ' +
      `task-${body(30)}; AKIA123; ghp_short; AIza${body(20)}`;
    expect(found('secret-key', text)).toEqual([]);
  });
});

describe('detectPii: private-key', () => {
  const label = 'RSA PRIVATE KEY';

  it('finds a whole multi-line block', () => {
    const block = `-----BEGIN ${label}-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\nKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ==\n-----END ${label}-----`;
    expect(found('private-key', `key:\n${block}\nthanks`)).toEqual([block]);
  });

  it('finds unlabelled, OpenSSH and PGP blocks', () => {
    const blocks = ['PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'PGP PRIVATE KEY BLOCK'].map(
      (name) => `-----BEGIN ${name}-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END ${name}-----`,
    );
    expect(found('private-key', blocks.join('\n\n'))).toEqual(blocks);
  });

  it('covers the header and body of a block whose end was cut off', () => {
    const truncated = `-----BEGIN ${label}-----\nProc-Type: 4,ENCRYPTED\nMIIBOgIBAAJBAKj34GkxFhD90vcN`;
    expect(found('private-key', `${truncated}\n\nThat is all of it.`)).toEqual([truncated]);
  });

  it('ignores public keys and certificates', () => {
    expect(found('private-key', '-----BEGIN PUBLIC KEY-----\nMFww\n-----END PUBLIC KEY-----')).toEqual([]);
  });
});

describe('detectPii: overlaps and order', () => {
  it('returns non-overlapping matches ordered by start', () => {
    const text = 'ip 10.0.0.1, mail a@b.co, phone 415-555-0132, ssn 123-45-6789';
    expect(detectPii(text).map(({ kind, value }) => [kind, value])).toEqual([
      ['ip-address', '10.0.0.1'],
      ['email', 'a@b.co'],
      ['phone', '415-555-0132'],
      ['us-ssn', '123-45-6789'],
    ]);
    const starts = detectPii(text).map((match) => match.start);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('lets the longest match win when kinds overlap', () => {
    // The IBAN's digits contain a national phone number; the international number contains a national one.
    expect(detectPii('DE89 3704 0044 0532 0130 00').map((match) => match.kind)).toEqual(['iban']);
    expect(detectPii('call +1 (415) 555-0132').map((match) => match.value)).toEqual(['+1 (415) 555-0132']);
    // A key inside a private-key block is part of the block.
    const block = `-----BEGIN PRIVATE KEY-----\nAKIAIOSFODNN7EXAMPLE\n-----END PRIVATE KEY-----`;
    expect(detectPii(block).map((match) => match.kind)).toEqual(['private-key']);
  });

  it('gives an equal-length tie to the more specific kind', () => {
    // 012-34-5678 is shaped like both an SSN and a national phone number; the SSN is the specific reading.
    expect(detectPii('id 012-34-5678').map((match) => match.kind)).toEqual(['us-ssn']);
  });

  it('reports positions that slice back to the value', () => {
    const text = 'x ⟦ü⟧ 😀 mail a@b.co and 192.168.0.1';
    for (const match of detectPii(text)) expect(text.slice(match.start, match.end)).toBe(match.value);
  });
});

describe('detectPii: kinds filter', () => {
  const text = 'mail a@b.co from 192.168.0.1, card 4111111111111111';

  it('looks only for the kinds asked for', () => {
    expect(detectPii(text, { kinds: ['email', 'payment-card'] }).map((match) => match.kind)).toEqual([
      'email',
      'payment-card',
    ]);
  });

  it('finds nothing for an empty list and everything when the filter is omitted', () => {
    expect(detectPii(text, { kinds: [] })).toEqual([]);
    expect(detectPii(text)).toHaveLength(3);
  });

  it('returns nothing for text without sensitive values', () => {
    expect(detectPii('Released v1.2.3 on 2026-11-22 at 10:30:00 UTC; 42 items, order 4155550132.')).toEqual(
      [],
    );
  });
});
