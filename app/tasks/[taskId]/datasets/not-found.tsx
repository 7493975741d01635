import Link from "next/link";

export default function DatasetNotFound() {
  return (
    <div className="py-16 text-center" data-testid="not-found">
      <p className="text-sm font-semibold text-indigo-600">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Unknown dataset</h1>
      <p className="mt-2 text-slate-600">This task has no dataset with this name in the results database.</p>
      <Link href="/#tasks" className="mt-6 inline-block text-sm font-medium text-indigo-600 hover:underline">
        ← All tasks
      </Link>
    </div>
  );
}
