import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser } from '@threshold/sdk';

const STREAM =
  '\uFEFF: hello\n\nevent: config\nid: v1\ndata: {"a":1}\n\n' +
  'data: line1\r\ndata: line2\r\n\r\n' +
  'event: config\rid: v2\rdata:{"b":2}\r\r' +
  'id: v3\n: ping\nretry: 10\nunknown: x\nevent: config\ndata\n\n';

const EXPECTED = [
  { event: 'config', id: 'v1', data: '{"a":1}' },
  { event: 'message', id: 'v1', data: 'line1\nline2' },
  { event: 'config', id: 'v2', data: '{"b":2}' },
  { event: 'config', id: 'v3', data: '' },
];

describe('SseParser', () => {
  it('parses events, ids, multi-line data, comments and all line endings', () => {
    const comments: string[] = [];
    const parser = new SseParser((c) => comments.push(c));
    expect(parser.push(STREAM)).toEqual(EXPECTED);
    expect(comments).toEqual(['hello', 'ping']);
  });

  it('gives the same events however the stream is split into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: STREAM.length }), { maxLength: 12 }),
        (cuts) => {
          const points = [...new Set(cuts)].sort((a, b) => a - b);
          const parser = new SseParser();
          const out = [];
          let prev = 0;
          for (const p of [...points, STREAM.length]) {
            out.push(...parser.push(STREAM.slice(prev, p)));
            prev = p;
          }
          expect(out).toEqual(EXPECTED);
        },
      ),
    );
  });

  it('does not dispatch an event without data or an unterminated one', () => {
    const parser = new SseParser();
    expect(parser.push('event: config\n\n')).toEqual([]);
    expect(parser.push('data: partial')).toEqual([]);
    expect(parser.push('\n\n')).toEqual([{ event: 'message', id: '', data: 'partial' }]);
  });
});
