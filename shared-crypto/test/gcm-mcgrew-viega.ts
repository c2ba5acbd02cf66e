/**
 * AES-256-GCM test cases 13–16 from McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)",
 * revised spec submitted to NIST (2005), Appendix B. All use a 96-bit IV, as our envelope does.
 */
const K15 = 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308';
const P60 =
  'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72' +
  '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39';
const C60 =
  '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa' +
  '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662';

export const GCM_AES256_VECTORS = [
  {
    name: 'test case 13',
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    pt: '',
    aad: '',
    ct: '',
    tag: '530f8afbc74536b9a963b4f1c4cb738b',
  },
  {
    name: 'test case 14',
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    pt: '00'.repeat(16),
    aad: '',
    ct: 'cea7403d4d606b6e074ec5d3baf39d18',
    tag: 'd0d1c8a799996bf0265b98b5d48ab919',
  },
  {
    name: 'test case 15',
    key: K15,
    iv: 'cafebabefacedbaddecaf888',
    pt: `${P60}1aafd255`,
    aad: '',
    ct: `${C60}898015ad`,
    tag: 'b094dac5d93471bdec1a502270e3cc6c',
  },
  {
    name: 'test case 16',
    key: K15,
    iv: 'cafebabefacedbaddecaf888',
    pt: P60,
    aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    ct: C60,
    tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
];
