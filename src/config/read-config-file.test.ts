import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFromSystem } from './load-config.js';

describe('config files in the wrong shape', () => {
  let dir: string | undefined;
  const saved = process.env['AGENTD_CONFIG'];
  afterEach(() => {
    if (saved === undefined) delete process.env['AGENTD_CONFIG'];
    else process.env['AGENTD_CONFIG'] = saved;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('says so when AGENTD_CONFIG names a folder', () => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-config-dir-'));
    process.env['AGENTD_CONFIG'] = dir;
    expect(() => loadConfigFromSystem({ cwd: dir })).toThrow(
      `config file ${dir} is a folder, not a file; name the YAML file inside it`,
    );
  });
});
