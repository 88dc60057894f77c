// The bypass table is built from public SSRF bypass lists (PayloadsAllTheThings "Server Side Request
// Forgery", HackTricks "URL format bypass", OWASP SSRF prevention cheat sheet). Names are answered by
// a stub resolver, so nothing here touches the network.
import { describe, expect, it } from 'vitest';
import { createNetGuard } from './net-guard.js';
import type { HostResolver } from './host-resolver.js';
import { fixedResolver } from './host-resolver.js';

/** Names public lists use because they resolve to internal addresses, plus the public ones tests reach. */
const DNS: Record<string, string[]> = {
  'localtest.me': ['127.0.0.1'],
  'customer1.app.localhost.my.company.127.0.0.1.nip.io': ['127.0.0.1'],
  '127.0.0.1.nip.io': ['127.0.0.1'],
  '169.254.169.254.nip.io': ['169.254.169.254'],
  'spoofed.burpcollaborator.net': ['127.0.0.1'],
  'metadata.google.internal': ['169.254.169.254'],
  'private.example': ['10.0.0.5'],
  'mixed.example': ['93.184.216.34', '192.168.1.10'],
  'mixed6.example': ['2606:2800:220:1:248:1893:25c8:1946', 'fd00::1'],
  'mapped.example': ['::ffff:127.0.0.1'],
  'nat64.example': ['64:ff9b::a9fe:a9fe'],
  'linklocal6.example': ['fe80::1'],
  'cgnat.example': ['100.64.0.1'],
  'zero.example': ['0.0.0.0'],
  'v6loop.example': ['::1'],
  'garbage.example': ['not-an-address'],
  'example.com': ['93.184.216.34'],
  'www.example.org': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'v6only.example': ['2001:4860:4860::8888'],
  'nat64public.example': ['64:ff9b::808:808'],
  'mappedpublic.example': ['::ffff:8.8.8.8'],
};

const unresolvable: HostResolver = async (hostname) => {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

const stub = fixedResolver(DNS, unresolvable);
const guard = createNetGuard({ resolve: stub });

/** [url, a fragment the reason must contain]. */
const BYPASSES: [string, string][] = [
  // Plain and well-known internal targets.
  ['http://127.0.0.1/', 'loopback'],
  ['http://127.0.0.1:80/admin', 'loopback'],
  ['http://127.127.127.127/', 'loopback'],
  ['http://127.0.1.3/', 'loopback'],
  ['http://localhost/', 'local machine'],
  ['http://LOCALHOST/', 'local machine'],
  ['http://localhost./', 'local machine'],
  ['http://sub.localhost/', 'local machine'],
  ['http://169.254.169.254/latest/meta-data/', 'cloud metadata'],
  ['http://169.254.169.254/computeMetadata/v1/', 'cloud metadata'],
  ['http://metadata.google.internal/computeMetadata/v1/', 'cloud metadata'],
  ['http://100.100.100.200/latest/meta-data/', 'carrier-grade NAT'],
  ['http://192.168.0.1/', 'private'],
  ['http://10.0.0.1/', 'private'],
  ['http://172.16.0.1/', 'private'],
  ['http://172.31.255.255/', 'private'],
  ['http://100.64.0.1/', 'carrier-grade NAT'],
  ['http://0.0.0.0/', 'unspecified'],
  ['http://0/', 'unspecified'],
  ['http://0.0.0.0:80/', 'unspecified'],
  ['http://224.0.0.1/', 'multicast'],
  ['http://255.255.255.255/', 'broadcast'],
  ['http://240.0.0.1/', 'reserved'],
  ['http://198.18.0.1/', 'reserved'],
  ['http://192.0.0.8/', 'reserved'],
  ['http://192.0.2.1/', 'reserved'],
  // Odd IPv4 spellings.
  ['http://2130706433/', 'loopback'],
  ['http://3232235521/', 'private'],
  ['http://2852039166/', 'cloud metadata'],
  ['http://0177.0.0.1/', 'loopback'],
  ['http://0177.0000.0000.0001/', 'loopback'],
  ['http://017700000001/', 'loopback'],
  ['http://0x7f.0x0.0x0.0x1/', 'loopback'],
  ['http://0x7f000001/', 'loopback'],
  ['http://0x7f.1/', 'loopback'],
  ['http://0xA9FEA9FE/', 'cloud metadata'],
  ['http://0xa9.0xfe.0xa9.0xfe/', 'cloud metadata'],
  ['http://0251.0376.0251.0376/', 'cloud metadata'],
  ['http://0x7f.0.0.1/', 'loopback'],
  ['http://0177.0.0x0.1/', 'loopback'],
  ['http://127.1/', 'loopback'],
  ['http://127.0.1/', 'loopback'],
  ['http://10.1/', 'private'],
  ['http://127.000.000.001/', 'loopback'],
  ['http://127.0.0.1./', 'loopback'],
  ['http://%31%32%37.0.0.1/', 'loopback'],
  ['http://%6c%6f%63%61%6c%68%6f%73%74/', 'local machine'],
  ['http://①②⑦.⓪.⓪.①/', 'loopback'],
  ['http://127。0。0。1/', 'loopback'],
  ['http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/', 'local machine'],
  ['http:/127.0.0.1/', 'loopback'],
  ['http:\\\\127.0.0.1/', 'loopback'],
  ['HTTP://127.0.0.1/', 'loopback'],
  [' http://127.0.0.1/', 'loopback'],
  ['http://127.0.0.1\t/', 'loopback'],
  ['http://127.0.0.1:443/', 'loopback'],
  ['https://0x7f.0x00.0x00.0x01:443/', 'loopback'],
  // IPv6 forms.
  ['http://[::ffff:0.0.0.0]/', 'unspecified'],
  ['http://[::1]/', 'loopback'],
  ['http://[0:0:0:0:0:0:0:1]/', 'loopback'],
  ['http://[::]/', 'unspecified'],
  ['http://[0000::1]:80/', 'loopback'],
  ['http://[::ffff:127.0.0.1]/', 'IPv4-mapped'],
  ['http://[::ffff:7f00:1]/', 'IPv4-mapped'],
  ['http://[0:0:0:0:0:ffff:127.0.0.1]/', 'IPv4-mapped'],
  ['http://[::ffff:169.254.169.254]/', 'IPv4-mapped'],
  ['http://[::ffff:a9fe:a9fe]/', 'cloud metadata'],
  ['http://[::127.0.0.1]/', 'IPv4-compatible'],
  ['http://[::7f00:1]/', 'IPv4-compatible'],
  ['http://[64:ff9b::127.0.0.1]/', 'NAT64'],
  ['http://[64:ff9b::a9fe:a9fe]/', 'NAT64'],
  ['http://[64:ff9b:1::a00:1]/', 'local-use NAT64'],
  ['http://[2002:7f00:1::]/', '6to4'],
  ['http://[2002:c0a8:101::1]/', '6to4'],
  ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', 'Teredo'],
  ['http://[fe80::1]/', 'link-local'],
  ['http://[febf::1]/', 'link-local'],
  ['http://[fc00::1]/', 'unique-local'],
  ['http://[fd12:3456:789a::1]/', 'unique-local'],
  ['http://[ff02::1]/', 'multicast'],
  ['http://[fec0::1]/', 'site-local'],
  ['http://[100::1]/', 'discard'],
  ['http://[::ffff:0:7f00:1]/', 'IPv4-translated'],
  ['http://[2001:db8::1]/', 'reserved'],
  // Userinfo and parser-confusion tricks.
  ['http://evil.com@127.0.0.1/', 'user info'],
  ['http://example.com:80@127.0.0.1/', 'user info'],
  ['http://127.0.0.1:80\\@example.com/', 'loopback'],
  ['http://127.0.0.1#@example.com/', 'loopback'],
  ['http://127.0.0.1?@example.com/', 'loopback'],
  ['http://1.1.1.1 &@2.2.2.2# @3.3.3.3/', 'user info'],
  // DNS names that resolve inside (wildcard DNS services, rebinding domains, split answers).
  ['http://localtest.me/', 'resolves to loopback'],
  ['http://127.0.0.1.nip.io/', 'resolves to loopback'],
  ['http://169.254.169.254.nip.io/', 'cloud metadata'],
  ['http://customer1.app.localhost.my.company.127.0.0.1.nip.io/', 'loopback'],
  ['http://spoofed.burpcollaborator.net/', 'loopback'],
  ['http://private.example/', 'private'],
  ['http://mixed.example/', "'mixed.example' resolves to private address 192.168.1.10"],
  ['http://mixed6.example/', 'unique-local'],
  ['http://mapped.example/', 'IPv4-mapped'],
  ['http://nat64.example/', 'NAT64'],
  ['http://linklocal6.example/', 'link-local'],
  ['http://cgnat.example/', 'carrier-grade NAT'],
  ['http://zero.example/', 'unspecified'],
  ['http://v6loop.example/', 'loopback'],
  ['http://garbage.example/', 'not an address'],
  ['http://does-not-exist.invalid/', "cannot resolve 'does-not-exist.invalid' (ENOTFOUND)"],
  // Schemes and ports.
  ['file:///etc/passwd', "scheme 'file'"],
  ['gopher://127.0.0.1:6379/_INFO', "scheme 'gopher'"],
  ['dict://127.0.0.1:11211/stat', "scheme 'dict'"],
  ['ftp://example.com/', "scheme 'ftp'"],
  ['ldap://127.0.0.1/', "scheme 'ldap'"],
  ['jar:http://example.com!/', "scheme 'jar'"],
  ['javascript:alert(1)', "scheme 'javascript'"],
  ['data:text/plain,hi', "scheme 'data'"],
  ['http://example.com:22/', 'port 22 is not allowed'],
  ['http://example.com:6379/', 'port 6379 is not allowed'],
  ['https://example.com:8443/', 'port 8443 is not allowed'],
  ['http://example.com:0/', 'port 0 is not allowed'],
];

describe('net guard: bypass attempts', () => {
  it('has at least 60 of them', () => {
    expect(BYPASSES.length).toBeGreaterThanOrEqual(60);
  });

  it.each(BYPASSES)('blocks %s', async (url, reason) => {
    const error = await guard.check(url).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({ name: 'UnsafeUrlError', code: 'net.blocked', category: 'forbidden' });
    const details = (error as { details: { reason: string } }).details;
    expect(details.reason).toContain(reason);
  });

  it.each([['http://[fe80::1%25eth0]/'], ['http://[::1'], ['not a url'], ['//127.0.0.1/'], ['http://']])(
    'refuses %s as an invalid URL',
    async (url) => {
      await expect(guard.check(url)).rejects.toMatchObject({
        name: 'UnsafeUrlError',
        code: 'net.invalid_url',
      });
    },
  );
});

describe('net guard: public destinations', () => {
  it.each([
    ['http://example.com/', '93.184.216.34', 4],
    ['https://EXAMPLE.com./path?q=1', '93.184.216.34', 4],
    ['https://www.example.org/', '93.184.215.14', 4],
    ['https://v6only.example/', '2001:4860:4860::8888', 6],
    ['http://nat64public.example/', '64:ff9b::808:808', 6],
    ['http://mappedpublic.example/', '8.8.8.8', 4],
    ['http://8.8.8.8/', '8.8.8.8', 4],
    ['http://134744072/', '8.8.8.8', 4],
    ['https://[2606:4700:4700::1111]/', '2606:4700:4700::1111', 6],
  ])('allows %s and pins it to %s', async (url, address, family) => {
    const target = await guard.check(url);
    expect({ address: target.address, family: target.family }).toEqual({ address, family });
  });

  it('keeps the name as the host the request presents', async () => {
    const target = await guard.check('https://EXAMPLE.com./x');
    expect([target.hostname, target.port, target.url.pathname]).toEqual(['example.com', 443, '/x']);
  });

  it('resolves a name once per check', async () => {
    const asked: string[] = [];
    const counting = createNetGuard({
      resolve: async (name) => {
        asked.push(name);
        return ['93.184.216.34'];
      },
    });
    await counting.check('https://example.com/');
    expect(asked).toEqual(['example.com']);
  });
});

describe('net guard: the allowlist and ports', () => {
  const opened = createNetGuard({
    resolve: stub,
    config: {
      allow: ['private.example', '*.corp.example', '127.0.0.0/8', 'fd00::/8', '169.254.169.254'],
      ports: [80, 443, 8080],
    },
  });
  const corp = createNetGuard({
    resolve: fixedResolver({ 'wiki.corp.example': ['10.1.2.3'], 'corp.example': ['10.1.2.4'] }, unresolvable),
    config: { allow: ['*.corp.example'] },
  });

  it('opens listed names, wildcard sub-domains, addresses and ranges', async () => {
    await expect(opened.check('http://private.example/')).resolves.toMatchObject({ address: '10.0.0.5' });
    await expect(opened.check('http://127.0.0.1:8080/')).resolves.toMatchObject({ address: '127.0.0.1' });
    await expect(opened.check('http://[::ffff:127.0.0.1]/')).resolves.toMatchObject({ address: '127.0.0.1' });
    await expect(opened.check('http://mixed6.example/')).resolves.toMatchObject({ family: 6 });
    await expect(opened.check('http://169.254.169.254/')).resolves.toMatchObject({
      address: '169.254.169.254',
    });
    await expect(corp.check('http://wiki.corp.example/')).resolves.toMatchObject({ address: '10.1.2.3' });
  });

  it('opens nothing else', async () => {
    await expect(corp.check('http://corp.example/')).rejects.toMatchObject({ code: 'net.blocked' });
    await expect(opened.check('http://10.0.0.5/')).rejects.toMatchObject({ code: 'net.blocked' });
    await expect(opened.check('http://169.254.169.253/')).rejects.toMatchObject({ code: 'net.blocked' });
    await expect(opened.check('http://127.0.0.1:8081/')).rejects.toMatchObject({ code: 'net.blocked' });
    await expect(opened.check('http://localhost/')).rejects.toMatchObject({ code: 'net.blocked' });
  });

  it('refuses a malformed entry at startup, naming it', () => {
    expect(() => createNetGuard({ config: { allow: ['10.0.0.0/99'] } })).toThrow(/security\.net\.allow\[0\]/);
    expect(() => createNetGuard({ config: { allow: ['ok.example', 'bad host!'] } })).toThrow(
      /security\.net\.allow\[1\] 'bad host!'/,
    );
  });
});
