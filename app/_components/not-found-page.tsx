import Link from "next/link";

/** The body every 404 of the site shows: what was not found, why, and where to go instead. */
export function NotFoundPage({ title, message, href, linkText }: { title: string; message: string; href: string; linkText: string }) {
  return (
    <div className="py-16 text-center" data-testid="not-found">
      <p className="text-sm font-semibold text-indigo-600">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">{title}</h1>
      <p className="mt-2 text-slate-600">{message}</p>
      <Link href={href} className="mt-6 inline-block text-sm font-medium text-indigo-600 hover:underline">
        ← {linkText}
      </Link>
    </div>
  );
}
