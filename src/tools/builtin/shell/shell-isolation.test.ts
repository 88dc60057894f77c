import { describe, expect, it } from 'vitest';
import { bubblewrapArgs } from './shell-isolation.js';

function pairs(args: string[], flag: string): string[][] {
  const found: string[][] = [];
  args.forEach((arg, i) => {
    if (arg === flag) found.push(args.slice(i + 1, i + 3));
  });
  return found;
}

describe('bubblewrapArgs', () => {
  const env = { PATH: '/usr/bin:/bin', HOME: '/ws', LANG: 'C.UTF-8' };

  it('binds the system read-only, the workspace writable, and nothing of the home folders', () => {
    const args = bubblewrapArgs({ workspace: '/data/ws', network: false, env });
    expect(pairs(args, '--ro-bind')).toContainEqual(['/usr', '/usr']);
    expect(pairs(args, '--bind')).toEqual([['/data/ws', '/data/ws']]);
    expect(args).toContain('--remount-ro');
    const mounted = [
      ...pairs(args, '--ro-bind'),
      ...pairs(args, '--ro-bind-try'),
      ...pairs(args, '--bind'),
    ].map(([source]) => source);
    for (const source of mounted) expect(source).not.toMatch(/^\/(home|root|work)\b|agentd/);
    expect(args.slice(args.indexOf('--chdir'), args.indexOf('--chdir') + 2)).toEqual(['--chdir', '/data/ws']);
  });

  it('unshares every namespace, the network too unless allowed, and dies with agentd', () => {
    const closed = bubblewrapArgs({ workspace: '/ws', network: false, env });
    expect(closed).toEqual(
      expect.arrayContaining(['--unshare-all', '--die-with-parent', '--new-session', '--clearenv']),
    );
    expect(closed).not.toContain('--share-net');
    expect(bubblewrapArgs({ workspace: '/ws', network: true, env })).toContain('--share-net');
  });

  it('sets exactly the given environment after clearing it', () => {
    const args = bubblewrapArgs({ workspace: '/ws', network: false, env });
    const set = args.flatMap((arg, i) => (arg === '--setenv' ? [`${args[i + 1]}=${args[i + 2]}`] : []));
    expect(set).toEqual(['PATH=/usr/bin:/bin', 'HOME=/ws', 'LANG=C.UTF-8']);
    expect(args.indexOf('--clearenv')).toBeLessThan(args.indexOf('--setenv'));
  });
});
