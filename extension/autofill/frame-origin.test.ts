import { describe, expect, it } from 'vitest';
import { frameOrigin, sameOrigin } from './frame-origin.ts';

describe('frameOrigin', () => {
  it('keeps scheme, host and a non-default port only', () => {
    expect(frameOrigin('https://App.Example.com:443/app/login?next=1#x')).toBe('https://app.example.com');
    expect(frameOrigin('http://app.test:8080/a')).toBe('http://app.test:8080');
  });

  it('has no origin for opaque, non-web or unparsable URLs', () => {
    for (const url of [
      'about:blank',
      'data:text/html,x',
      'javascript:alert(1)',
      'file:///etc/passwd',
      '',
      'nope',
    ]) {
      expect(frameOrigin(url)).toBeNull();
    }
  });
});

describe('sameOrigin', () => {
  it('accepts a path pushed by the page on its own origin', () => {
    expect(sameOrigin('http://app.test:1/spa.html', 'http://app.test:1/app/login?next=%2F')).toBe(true);
  });

  it('refuses another host, scheme or port', () => {
    expect(sameOrigin('http://app.test/a', 'http://other.test/a')).toBe(false);
    expect(sameOrigin('http://app.test/a', 'https://app.test/a')).toBe(false);
    expect(sameOrigin('http://app.test:1/a', 'http://app.test:2/a')).toBe(false);
    expect(sameOrigin('https://app.test/a', 'https://login.app.test/a')).toBe(false);
  });

  it('never calls two opaque or unparsable URLs the same', () => {
    expect(sameOrigin('about:blank', 'about:blank')).toBe(false);
    expect(sameOrigin('', '')).toBe(false);
  });
});
