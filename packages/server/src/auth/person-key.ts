/**
 * Who a person is, for sign-off: the verified subject when there is one (a
 * session, or a token created for someone), else the token's name as before.
 * Answers are counted and self-approval refused on this key, so a person's two
 * differently named tokens are one person.
 */

/** The person key of an actor: `person:<subject>`, or the bare name of a token nobody owns. */
export function personKey(subject: string | null, name: string): string {
  return subject === null ? name : `person:${subject}`;
}

/** The launch's authors as person keys: who started it and who uploaded its plan version. */
export function launchAuthors(
  launch: { createdBy: string; createdBySubject: string | null },
  version: { createdBy: string; createdBySubject: string | null },
): string[] {
  return [
    personKey(launch.createdBySubject, launch.createdBy),
    personKey(version.createdBySubject, version.createdBy),
  ];
}
