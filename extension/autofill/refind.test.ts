import { describe, expect, it } from 'vitest';
import { type Candidate, type FieldPrint, pickReplacement } from './refind.ts';

const password: FieldPrint = { type: 'password', name: 'password', htmlId: 'password', position: 1 };
const input = (over: Partial<Candidate>): Candidate => ({ ...password, sameGroup: true, ...over });
const username = input({ type: 'text', name: 'username', htmlId: 'username', position: 0 });

describe('pickReplacement', () => {
  it('finds the re-created input with the same type, name and id in the same form', () => {
    expect(pickReplacement(password, [username, input({})], true)).toBe(1);
  });

  it('finds it after the whole form was re-created (the old form is detached)', () => {
    expect(pickReplacement(password, [username, input({ sameGroup: false })], false)).toBe(1);
  });

  it('never takes a field of another type, name or id', () => {
    expect(pickReplacement(password, [username], true)).toBeNull();
    expect(pickReplacement(password, [input({ type: 'text' })], true)).toBeNull();
    expect(pickReplacement(password, [input({ name: 'pin' })], true)).toBeNull();
    expect(pickReplacement(password, [input({ htmlId: 'password2' })], true)).toBeNull();
  });

  it('while the old form is attached, a look-alike in another form is not the replacement', () => {
    expect(pickReplacement(password, [input({ sameGroup: false, position: 1 })], true)).toBeNull();
  });

  it('settles look-alikes by position, and refuses when that cannot', () => {
    const twins = [input({ position: 1 }), input({ position: 4 })];
    expect(pickReplacement(password, twins, true)).toBe(0);
    expect(pickReplacement({ ...password, position: 2 }, twins, true)).toBeNull();
  });

  it('a field with neither name nor id is only found at its old position', () => {
    const bare: FieldPrint = { type: 'password', name: '', htmlId: '', position: 3 };
    expect(pickReplacement(bare, [input({ name: '', htmlId: '', position: 2 })], true)).toBeNull();
    expect(pickReplacement(bare, [input({ name: '', htmlId: '', position: 3 })], true)).toBe(0);
  });
});
