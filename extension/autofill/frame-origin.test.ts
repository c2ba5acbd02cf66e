import { describe, expect, it } from 'vitest';
import { frameOrigin, resolveInheritedFrames, sameOrigin, siteUrlOf } from './frame-origin.ts';

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

describe('siteUrlOf', () => {
  it('keeps an http(s) frame URL as it is', () => {
    expect(siteUrlOf('http://app.test:1/a?b#c', 'http://app.test:1')).toBe('http://app.test:1/a?b#c');
  });

  it('gives about:blank and about:srcdoc frames the root of the origin they inherit', () => {
    expect(siteUrlOf('about:srcdoc', 'http://app.test:8080')).toBe('http://app.test:8080/');
    expect(siteUrlOf('about:blank', 'https://Bank.example')).toBe('https://bank.example/');
    expect(siteUrlOf('about:blank#top', 'https://bank.example')).toBe('https://bank.example/');
  });

  it('refuses opaque, missing and non-web origins, and other URLs', () => {
    expect(siteUrlOf('about:srcdoc', 'null')).toBeNull();
    expect(siteUrlOf('about:srcdoc', null)).toBeNull();
    expect(siteUrlOf('about:blank', undefined)).toBeNull();
    expect(siteUrlOf('about:blank', 'chrome-extension://abc')).toBeNull();
    expect(siteUrlOf('about:blankx', 'https://bank.example')).toBeNull();
    expect(siteUrlOf('data:text/html,x', 'https://bank.example')).toBeNull();
    expect(siteUrlOf('about:config', 'https://bank.example')).toBeNull();
  });
});

describe('resolveInheritedFrames', () => {
  it('gives blank and srcdoc frames their nearest http(s) ancestor’s origin, and drops the rest', () => {
    const frames = [
      { frameId: 0, url: 'https://shop.example/cart?x=1' },
      { frameId: 1, parentFrameId: 0, url: 'about:srcdoc' },
      { frameId: 2, parentFrameId: 1, url: 'about:blank' },
      { frameId: 3, parentFrameId: 0, url: 'https://pay.example/embed' },
      { frameId: 4, parentFrameId: 3, url: 'about:blank' },
      { frameId: 5, parentFrameId: 0, url: 'data:text/html,x' },
      { frameId: 6, parentFrameId: 5, url: 'about:blank' },
      { frameId: 7, parentFrameId: 42, url: 'about:srcdoc' },
      { frameId: 8, url: 'chrome-extension://abc/menu.html' },
    ];
    expect(resolveInheritedFrames(frames).map((f) => [f.frameId, f.url])).toEqual([
      [0, 'https://shop.example/cart?x=1'],
      [1, 'https://shop.example/'],
      [2, 'https://shop.example/'],
      [3, 'https://pay.example/embed'],
      [4, 'https://pay.example/'],
    ]);
  });

  it('stops on a parent cycle instead of looping', () => {
    const frames = [
      { frameId: 1, parentFrameId: 2, url: 'about:blank' },
      { frameId: 2, parentFrameId: 1, url: 'about:blank' },
    ];
    expect(resolveInheritedFrames(frames)).toEqual([]);
  });
});
