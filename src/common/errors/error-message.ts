/** What a caught value says: an Error's message, anything else written out. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
