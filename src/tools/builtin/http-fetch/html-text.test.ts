import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText } from './html-text.js';

describe('htmlToText', () => {
  it('keeps the readable text, one block per line, with the title', () => {
    const page = `<!doctype html><html><head><title>The  &amp; Title</title>
      <style>body { color: red }</style><script>alert("<p>not text</p>")</script></head>
      <body><h1>Heading</h1><p>First <b>bold</b> para&nbsp;graph.</p><!-- a <p>comment</p> -->
      <ul><li>one</li><li>two</li></ul><p title="a > b">Second</p><br/>Tail</body></html>`;
    expect(htmlToText(page)).toEqual({
      title: 'The & Title',
      text: 'Heading\n\nFirst bold para graph.\n\n- one\n- two\n\nSecond\n\nTail',
    });
  });

  it('drops script-like content even with odd case and attributes', () => {
    const text = htmlToText(
      'a<SCRIPT type="x">secret()</SCRIPT >b<noscript>n</noscript>c<svg><text>s</text></svg>d',
    );
    expect(text.text).toBe('abcd');
  });

  it('keeps a lone "<" as text and survives unclosed markup', () => {
    expect(htmlToText('1 < 2 and 3 > 2').text).toBe('1 < 2 and 3 > 2');
    expect(htmlToText('<p>open <script>never closed').text).toBe('open');
    expect(htmlToText('<!-- unterminated').text).toBe('');
  });

  it('reads a large hostile page in one pass', () => {
    // Many unclosed tags and quotes: a backtracking pattern would take far longer than a scan.
    const hostile = '<a href="'.repeat(20_000) + '<'.repeat(20_000) + '&#'.repeat(20_000);
    expect(typeof htmlToText(hostile).text).toBe('string');
  });
});

describe('decodeEntities', () => {
  it('decodes named and numeric references and leaves unknown ones', () => {
    expect(decodeEntities('&lt;a&gt; &#65;&#x42; &hellip; &bogus; &#0; &#xD800;')).toBe(
      '<a> AB … &bogus; \uFFFD \uFFFD',
    );
  });
});
