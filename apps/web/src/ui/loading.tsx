/** A page's place while what it shows is on its way: one status line. */
export function Loading({ text }: { text: string }) {
  return (
    <main className="app-loading">
      <p role="status">{text}</p>
    </main>
  );
}
