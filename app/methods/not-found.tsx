import Link from "next/link";

export default function MethodNotFound() {
  return (
    <div className="py-16 text-center" data-testid="not-found">
      <p className="text-sm font-semibold text-indigo-600">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Unknown method</h1>
      <p className="mt-2 text-slate-600">No method with this id is registered in the results database.</p>
      <Link href="/methods" className="mt-6 inline-block text-sm font-medium text-indigo-600 hover:underline">
        ← All methods
      </Link>
    </div>
  );
}
