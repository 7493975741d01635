// Shown instead of a page when the results database cannot be read.
export function DbError({ message }: { message: string }) {
  return (
    <div className="rounded-lg border border-rose-200 bg-rose-50 p-5 text-rose-900" role="alert" data-testid="db-error">
      <h1 className="text-base font-semibold">The results database is unavailable</h1>
      <p className="mt-2 font-mono text-sm break-words">{message}</p>
      <p className="mt-3 text-sm text-rose-800">
        The site reads the database named by <code className="font-mono">DATABASE_URL</code>. Start everything with{" "}
        <code className="font-mono">npx cajal start</code>, then reload this page.
      </p>
    </div>
  );
}
