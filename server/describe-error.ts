/**
 * What of an unexpected error may be logged: its type, the driver's error code and the stack
 * frames — never the message, which for a failed query carries its parameters (emails, hashes,
 * ciphertexts).
 */
export function describeError(error: unknown) {
  if (!(error instanceof Error)) return { type: typeof error };
  const cause = error.cause as { code?: unknown; name?: unknown } | undefined;
  const code = (error as { code?: unknown }).code ?? cause?.code;
  return {
    type: error.name,
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof cause?.name === 'string' ? { causeType: cause.name } : {}),
    frames: error.stack
      ?.split('\n')
      .filter((line) => line.trimStart().startsWith('at '))
      .slice(0, 8),
  };
}
