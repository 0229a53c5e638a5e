/** Rehearsal: filled in against core's rehearsal engine. */
export function RehearsalPage() {
  return (
    <section>
      <h1>Rehearsal</h1>
      <p className="muted">Loading the rehearsal engine…</p>
    </section>
  );
}
