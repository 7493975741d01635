// READMEs rendered as Markdown (GitHub flavour: tables, strikethrough, autolinks). Raw HTML in a README is dropped,
// never injected, and react-markdown's URL filter removes javascript: and other unsafe links, so a submitted README
// cannot script the site. Headings move down one level: the page's own title is the only <h1>.
import type { ComponentProps } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

const components: Components = {
  h1: ({ node: _n, ...p }) => <h2 className="mt-6 text-xl font-semibold tracking-tight first:mt-0" {...p} />,
  h2: ({ node: _n, ...p }) => <h3 className="mt-6 text-lg font-semibold" {...p} />,
  h3: ({ node: _n, ...p }) => <h4 className="mt-4 font-semibold" {...p} />,
  h4: ({ node: _n, ...p }) => <h5 className="mt-4 text-sm font-semibold" {...p} />,
  p: ({ node: _n, ...p }) => <p className="mt-3 leading-relaxed" {...p} />,
  ul: ({ node: _n, ...p }) => <ul className="mt-3 list-disc space-y-1 pl-6" {...p} />,
  ol: ({ node: _n, ...p }) => <ol className="mt-3 list-decimal space-y-1 pl-6" {...p} />,
  a: ({ node: _n, ...p }) => <a className="text-indigo-700 underline" rel="noopener noreferrer nofollow" {...p} />,
  code: ({ node: _n, ...p }) => <code className="rounded bg-slate-100 px-1 font-mono text-[0.85em]" {...p} />,
  pre: ({ node: _n, ...p }) => <pre className="mt-3 overflow-x-auto rounded-lg bg-slate-50 p-3 text-xs [&_code]:bg-transparent" {...p} />,
  table: ({ node: _n, ...p }) => (
    <div className="mt-3 overflow-x-auto">
      <table className="min-w-full text-left text-sm [&_td]:border-t [&_td]:border-slate-200 [&_td]:px-2 [&_td]:py-1 [&_th]:px-2" {...p} />
    </div>
  ),
  blockquote: ({ node: _n, ...p }) => <blockquote className="mt-3 border-l-4 border-slate-200 pl-4 text-slate-600" {...p} />,
};

export function Markdown({ source, ...rest }: { source: string } & Omit<ComponentProps<"div">, "children">) {
  return (
    <div className="text-sm text-slate-700" {...rest}>
      <ReactMarkdown remarkPlugins={[remarkGfm]} skipHtml components={components}>
        {source}
      </ReactMarkdown>
    </div>
  );
}
