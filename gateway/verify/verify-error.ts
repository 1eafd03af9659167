/**
 * A problem with what the user asked `modelgate verify` to do: a repository that is not a
 * directory, an unknown or malformed model name. The CLI prints the message and exits with
 * status 2. Drift is not an error of this kind: it is the command's answer (status 1).
 */
export class VerifyError extends Error {
  override readonly name = 'VerifyError';
}
