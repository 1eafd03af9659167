/**
 * A problem with what the user asked `modelgate profile` to do: bad flags, unreadable or
 * malformed data, data that does not fit the model, an unknown model or version. The CLI
 * prints the message and exits with status 2; anything else is an internal failure (status 1).
 * Messages name the file, line, column, flag or tensor at fault, never a stack.
 */
export class ProfileError extends Error {
  override readonly name = 'ProfileError';
}
