import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { exitOnBrokenPipe } from './exit-on-broken-pipe.js';

const failure = (code: string): Error => Object.assign(new Error(`write ${code}`), { code });

describe('exitOnBrokenPipe', () => {
  it('exits with 0 and no output when the reader has gone (EPIPE)', () => {
    const stream = new EventEmitter();
    const exits: number[] = [];
    exitOnBrokenPipe(stream, (code) => exits.push(code));
    stream.emit('error', failure('EPIPE'));
    expect(exits).toEqual([0]);
  });

  it('throws any other write error as before', () => {
    const stream = new EventEmitter();
    const exits: number[] = [];
    exitOnBrokenPipe(stream, (code) => exits.push(code));
    expect(() => stream.emit('error', failure('ENOSPC'))).toThrow('write ENOSPC');
    expect(exits).toEqual([]);
  });
});
