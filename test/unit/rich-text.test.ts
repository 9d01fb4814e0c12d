import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { richText } from '../../src/http/view-helpers.ts';

describe('richText', () => {
  it('turns blank-line separated text into paragraphs and single newlines into <br>', () => {
    expect(richText('Liebe Bewohner,\n\ndie Heizung wird gewartet.\nBitte beachten Sie:\r\n\r\n\r\nDanke')).toBe(
      '<p>Liebe Bewohner,</p>\n<p>die Heizung wird gewartet.<br>\nBitte beachten Sie:</p>\n<p>Danke</p>',
    );
  });

  it('returns nothing for empty text', () => {
    expect(richText('')).toBe('');
    expect(richText(null)).toBe('');
    expect(richText('  \n\n  ')).toBe('');
  });

  it('shows a script tag as text, never as HTML', () => {
    const html = richText('<script>alert("x")</script> & <b onclick="x">fett</b>');
    expect(html).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b onclick=&quot;x&quot;&gt;fett&lt;/b&gt;</p>');
    const $ = cheerio.load(html);
    expect($('script, b')).toHaveLength(0);
    expect($('p').text()).toBe('<script>alert("x")</script> & <b onclick="x">fett</b>');
  });

  it('links http(s) URLs with rel="noopener nofollow", without trailing punctuation', () => {
    const $ = cheerio.load(richText('Details: https://example.de/heizung?a=1&b=2. Oder http://example.org/x (siehe dort).'));
    const links = $('a');
    expect(links).toHaveLength(2);
    expect(links.eq(0).attr('href')).toBe('https://example.de/heizung?a=1&b=2');
    expect(links.eq(0).attr('rel')).toBe('noopener nofollow');
    expect(links.eq(0).text()).toBe('https://example.de/heizung?a=1&b=2');
    expect(links.eq(1).attr('href')).toBe('http://example.org/x');
    expect($('p').text()).toBe('Details: https://example.de/heizung?a=1&b=2. Oder http://example.org/x (siehe dort).');
  });

  it('does not link javascript: or other schemes, and cannot break out of the attribute', () => {
    const $ = cheerio.load(richText('javascript:alert(1) data:text/html,<b>x</b> mailto:a@b.de https://x.de/"onmouseover="alert(1)'));
    expect($('a')).toHaveLength(1);
    expect($('a').attr('href')).toBe('https://x.de/');
    expect($('a').attr('onmouseover')).toBeUndefined();
    expect($('b')).toHaveLength(0);
  });
});
