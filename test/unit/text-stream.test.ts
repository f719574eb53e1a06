import { describe, expect, it } from 'vitest';
import { TextStream } from '../../src/engine/text-stream';

function streamAll(pieces: string[], stops: string[]) {
  const stream = new TextStream(stops);
  let full = '';
  const out: string[] = [];
  for (const piece of pieces) {
    full += piece;
    out.push(stream.push(full));
    if (stream.stopped) break;
  }
  out.push(stream.flush(full));
  return { shown: out.join(''), deltas: out, stopped: stream.stopped };
}

describe('TextStream', () => {
  it('passes text through as it grows', () => {
    expect(streamAll([' two', ' red', ' circles.'], ['\n']).shown).toBe(' two red circles.');
  });

  it('cuts at a stop string and says it stopped', () => {
    const result = streamAll([' 3', '.\n', 'How'], ['\n']);
    expect(result.shown).toBe(' 3.');
    expect(result.stopped).toBe(true);
  });

  it('holds back a possible start of a multi-character stop string', () => {
    const result = streamAll(['Yes', '.', ' ##', '#', ' more'], ['###']);
    expect(result.deltas.slice(0, 3)).toEqual(['Yes', '.', ' ']);
    expect(result.shown).toBe('Yes. ');
  });

  it('releases held text when it turns out not to be a stop string', () => {
    expect(streamAll(['a #', '# b'], ['###']).shown).toBe('a ## b');
  });

  it('holds back half a UTF-8 character', () => {
    const stream = new TextStream([]);
    expect(stream.push('ok \ufffd')).toBe('ok ');
    expect(stream.push('ok 😀')).toBe('😀');
  });
});
