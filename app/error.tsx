"use client";
// Last-resort boundary for unexpected errors (database failures are shown by the pages themselves).
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="rounded-lg border border-rose-200 bg-rose-50 p-5 text-rose-900" role="alert">
      <h1 className="text-base font-semibold">Something went wrong while rendering this page</h1>
      <p className="mt-2 text-sm">The server log has the details{error.digest ? ` (error id ${error.digest})` : ""}.</p>
      <button
        type="button"
        onClick={reset}
        className="mt-3 rounded-md bg-white px-3 py-1.5 text-sm font-medium ring-1 ring-rose-300 hover:bg-rose-100"
      >
        Try again
      </button>
    </div>
  );
}
