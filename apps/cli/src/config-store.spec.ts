import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configDirectory, readLogin, removeLogin, writeLogin } from './config-store';

describe('config store', () => {
  it('lives in $XDG_CONFIG_HOME/hangar, else ~/.config/hangar', () => {
    expect(configDirectory({ XDG_CONFIG_HOME: '/x/config', HOME: '/home/u' })).toBe('/x/config/hangar');
    expect(configDirectory({ XDG_CONFIG_HOME: '', HOME: '/home/u' })).toBe('/home/u/.config/hangar');
    expect(configDirectory({ HOME: '/home/u' })).toBe('/home/u/.config/hangar');
  });

  it('writes the login 0600 in a 0700 directory even under a permissive umask, and reads it back', async () => {
    const directory = join(mkdtempSync(join(tmpdir(), 'hangar-cli-config-')), 'hangar');
    const previous = process.umask(0o000);
    try {
      await writeLogin(directory, { url: 'http://localhost:3000', token: 'secret' });
    } finally {
      process.umask(previous);
    }
    expect(statSync(join(directory, 'config.json')).mode & 0o777).toBe(0o600);
    expect(statSync(directory).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(join(directory, 'config.json'), 'utf8'))).toEqual({ url: 'http://localhost:3000', token: 'secret' });
    expect(await readLogin(directory)).toEqual({ url: 'http://localhost:3000', token: 'secret' });
    expect(await removeLogin(directory)).toBe(true);
    expect(await readLogin(directory)).toBeUndefined();
    expect(await removeLogin(directory)).toBe(false);
  });
});
