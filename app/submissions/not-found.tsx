import Link from "next/link";

export default function SubmissionNotFound() {
  return (
    <div className="py-16 text-center" data-testid="not-found">
      <p className="text-sm font-semibold text-indigo-600">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Unknown submission</h1>
      <p className="mt-2 text-slate-600">No submission with this id exists on this server.</p>
      <Link href="/" className="mt-6 inline-block text-sm font-medium text-indigo-600 hover:underline">
        ← Back to the overview
      </Link>
    </div>
  );
}
