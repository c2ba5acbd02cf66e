import { describe, expect, it } from 'vitest';
import { parseSiteUrl } from '../autofill/url-match.ts';
import { isWebsiteAddress } from './website-address.ts';

const web = [
  'https://bank.example',
  'http://127.0.0.1:8787/login',
  'HTTPS://WWW.Example.CO.UK.:443/Login?next=1#frag',
  'example.com/login',
  'localhost:3000',
  '[::1]:8080/x',
  'https://xn--bcher-kva.example/',
];
const refused = [
  'javascript:alert(1)',
  'JavaScript:alert(document.cookie)',
  'javascript://%0aalert(1)',
  'data:text/html,<script>alert(1)</script>',
  'file:///etc/passwd',
  'chrome-extension://abcdefghijklmnop/popup.html',
  'ftp://files.example',
  'vbscript:msgbox',
  'https://',
  'not a url',
  'http://exa mple.com',
];

describe('isWebsiteAddress', () => {
  it('accepts web addresses, exactly those the autofill matcher can use', () => {
    for (const url of web) {
      expect(isWebsiteAddress(url), url).toBe(true);
      expect(parseSiteUrl(url), url).not.toBeNull();
    }
  });

  it('refuses javascript:, data:, file:, other schemes and garbage, as the matcher does', () => {
    for (const url of refused) {
      expect(isWebsiteAddress(url), url).toBe(false);
      expect(parseSiteUrl(url), url).toBeNull();
    }
  });

  it('accepts androidapp:// and iosapp:// app ids, and nothing else after them', () => {
    expect(isWebsiteAddress('androidapp://com.example.bank')).toBe(true);
    expect(isWebsiteAddress('iosapp://com.example.Bank-App')).toBe(true);
    expect(isWebsiteAddress('androidapp://')).toBe(false);
    expect(isWebsiteAddress('androidapp://com.example/../x')).toBe(false);
    expect(isWebsiteAddress('iosapp://<script>')).toBe(false);
  });
});
